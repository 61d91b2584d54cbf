// lang/en-home-coach.js - the English strings of a coach's home page
// (home-coach.js loads them with i18n.js addStrings).

export default {
  'homeCoach.cohort': 'Group {cohort}',
  'homeCoach.noCohort': 'without a group',
  'homeCoach.open': 'Open this board',
  'homeCoach.none': 'You do not coach a group yet. You can still open any board you may see:',
};
