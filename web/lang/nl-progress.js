// lang/nl-progress.js - de Nederlandse teksten van de markeringen in het
// overzicht en de knoppen van een stap (progress.js laadt ze met addStrings).

export default {
  'state.locked': 'Op slot',
  'step.locked': 'Op slot: rond eerst “{title}” af.',
  'step.doneResult': 'Gemarkeerd als klaar.',
  'step.undo': 'Ongedaan maken',
  'step.undone': 'Niet meer gemarkeerd als klaar.',
  'track.section': '{done} van {total} klaar',
};
