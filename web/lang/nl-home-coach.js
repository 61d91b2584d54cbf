// lang/nl-home-coach.js - de Nederlandse teksten van de startpagina van een
// coach (home-coach.js laadt ze met i18n.js addStrings).

export default {
  'homeCoach.cohort': 'Groep {cohort}',
  'homeCoach.noCohort': 'zonder groep',
  'homeCoach.open': 'Open dit bord',
  'homeCoach.none': 'Je coacht nog geen groep. Je kunt wel elk bord openen dat je mag zien:',
};
