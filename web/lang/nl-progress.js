// lang/nl-progress.js - de Nederlandse teksten van wat nu, de markeringen in
// het overzicht en de knoppen van een stap (progress.js laadt ze met addStrings).

export default {
  'next.title': 'Wat nu',
  'next.help': 'Een andere deelnemer vraagt hulp bij “{title}”.',
  'next.nudge': 'Je coach stuurde je een bericht.',
  'next.see': 'Lees het',
  'next.reviews.one': 'Bekijk het werk van een andere deelnemer: {count} review te doen',
  'next.reviews.other': 'Bekijk het werk van andere deelnemers: {count} reviews te doen',
  'next.continue': 'Ga verder met “{title}” in {track}',
  'next.begin': 'Begin met “{title}” in {track}',
  'next.done': 'Je hebt elke leerlijn afgerond. Goed gedaan!',
  'state.locked': 'Op slot',
  'step.locked': 'Op slot: rond eerst “{title}” af.',
  'step.doneResult': 'Gemarkeerd als klaar.',
  'step.undo': 'Ongedaan maken',
  'step.undone': 'Niet meer gemarkeerd als klaar.',
  'track.section': '{done} van {total} klaar',
};
