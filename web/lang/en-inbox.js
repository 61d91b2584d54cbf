// lang/en-inbox.js - the English strings of the notifications page
// (inbox.js loads them with i18n.js addStrings when it is first opened).

export default {
  'inbox.title': 'Notifications',
  'inbox.none': 'No notifications yet. Reviews given to you, reviews of your work, questions from peers and messages from your coach show up here.',
  'inbox.new': 'New',
  'inbox.open': 'Open',
  'inbox.read': 'Mark as read',
  'inbox.readAll': 'Mark all as read',
  'inbox.marked': 'Marked as read.',
  'inbox.markedAll': 'All marked as read.',
  'inbox.browser': 'Browser notifications',
  'inbox.browser.intro': 'Let your browser tell you when you get a review to do, a review of your work, a question from a peer or a message from your coach, also while this page is in the background. Only on this device.',
  'inbox.browser.on': 'Turn on browser notifications',
  'inbox.browser.off': 'Turn off browser notifications',
  'inbox.browser.isOn': 'Browser notifications are on for this device.',
  'inbox.browser.isOff': 'Browser notifications are off for this device.',
  'inbox.browser.denied': 'Your browser blocks notifications from this site. You can allow them in the browser’s settings for this site.',
  'inbox.browser.none': 'This browser cannot show notifications.',
  'home.recent': 'Recent',
  'home.recent.all': 'All notifications',
  'note.review_assigned': 'New work to review: {title}',
  'note.verdict': 'A review of your work on “{step}” came in.',
  'note.help_request': 'A peer asks for help on “{title}”.',
  'note.nudge': 'Message from {name}: {body}',
  'note.reflection_comment': '{name} commented on your reflection “{title}”: {body}',
};
