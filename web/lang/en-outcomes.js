// lang/en-outcomes.js - the English strings of learners' outcomes
// (outcomes.js loads them with i18n.js addStrings when first needed).

export default {
  'outcome.record': 'Record an outcome for {name}',
  'outcome.kind': 'Outcome',
  'outcome.kind.job': 'Job',
  'outcome.kind.internship': 'Internship',
  'outcome.kind.study': 'Further study',
  'outcome.kind.stopped': 'Stopped',
  'outcome.date': 'Date it happened',
  'outcome.note': 'Note',
  'outcome.note.hint': 'Optional: where, and anything the team should know.',
  'outcome.save': 'Save outcome',
  'outcome.saved': 'Saved: {name}, {kind}.',
  'outcome.figures': 'Outcomes',
  'outcome.figures.hint': 'What became of the learners of each centre and group, as their coaches recorded it, and the median number of days from joining to it. A centre\'s row adds up the groups under it.',
  'outcome.figures.caption': 'Outcomes per centre and group',
  'outcome.centre': 'Centre {centre}',
  'outcome.figures.none': 'No groups yet.',
  'outcome.group': 'Centre or group',
  'outcome.learners': 'Learners',
  'outcome.median': 'Median days from joining',
  'outcome.export': 'Export',
  'outcome.csv': 'CSV of {cohort}',
};
