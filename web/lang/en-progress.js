// lang/en-progress.js - the English strings of the outline's marks and a
// step's actions (progress.js loads them with i18n.js addStrings).

export default {
  'state.locked': 'Locked',
  'step.locked': 'Locked: finish “{title}” first.',
  'step.doneResult': 'Marked as done.',
  'step.undo': 'Undo',
  'step.undone': 'No longer marked as done.',
  'track.section': '{done} of {total} done',
};
