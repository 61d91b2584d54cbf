// lang/en-progress.js - the English strings of what next, the outline's marks
// and a step's actions (progress.js loads them with i18n.js addStrings).

export default {
  'next.title': 'What next',
  'next.help': 'A peer asks for help on “{title}”.',
  'next.nudge': 'Your coach sent you a message.',
  'next.see': 'Read it',
  'next.reviews.one': 'Review the work of a peer: {count} review to do',
  'next.reviews.other': 'Review the work of peers: {count} reviews to do',
  'next.continue': 'Continue “{title}” in {track}',
  'next.begin': 'Start “{title}” in {track}',
  'next.done': 'You finished every track. Well done!',
  'state.locked': 'Locked',
  'step.locked': 'Locked: finish “{title}” first.',
  'step.doneResult': 'Marked as done.',
  'step.undo': 'Undo',
  'step.undone': 'No longer marked as done.',
  'track.section': '{done} of {total} done',
};
