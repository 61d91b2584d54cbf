// lang/en-reflections.js - the English strings of a group's reflections
// (reflections.js loads them with i18n.js addStrings when first opened).

export default {
  'reflections.title': 'Reflections of {group} on {track}',
  'reflections.back': 'Back to the board',
  'reflections.intro': 'What your learners wrote about working with others. Peers respond first; a short, warm comment from you means a lot.',
  'reflections.none': 'No reflections handed in yet.',
  'reflections.of': '{name}: {title}',
  'reflections.when': 'Handed in {when} (attempt {attempt})',
  'reflections.by': '{name}, {when}',
  'reflections.comment': 'Your comment',
  'reflections.comment.hint': 'The learner sees it with their reflection, and gets a notification.',
  'reflections.send': 'Send comment',
  'reflections.sent': 'Your comment was sent.',
  'reflections.empty': 'Write a comment first.',
};
