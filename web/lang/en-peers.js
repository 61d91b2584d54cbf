// lang/en-peers.js - the English strings of peers' work after passing
// (peers.js loads them with i18n.js addStrings, with a reviewed step's page).

export default {
  'peers.title': 'How your peers did it',
  'peers.after': 'Once your work on this step has passed its reviews, you can read how your peers did it here, and share yours.',
  'peers.intro': 'Work on this step that passed its reviews, shared by the people who made it. Read it to see other ways of doing it, and say thank you when it helped you.',
  'peers.introCoach': 'Work on this step that passed its reviews, shared by the people who made it.',
  'peers.none': 'Nobody has shared their work on this step yet.',
  'peers.by': 'By {name}',
  'peers.byPeer': 'By a peer ({n})',
  'peers.thank': 'Say thank you',
  'peers.thanked': 'You said thank you',
  'peers.thanks.zero': 'No thank-yous yet',
  'peers.thanks.one': '1 thank-you',
  'peers.thanks.other': '{count} thank-yous',
  'peers.share': 'Share your work with peers who passed this step?',
  'peers.share.hint': 'Only people whose own work on this step passed can read it, and coaches. You can change this at any time. Your link is shown too.',
  'peers.share.none': 'Do not share it',
  'peers.share.anonymous': 'Share it without my name',
  'peers.share.named': 'Share it with my name',
  'peers.saved.none': 'Saved: your work is not shared. Nobody can read it here now.',
  'peers.saved.anonymous': 'Saved: peers can read your work, without your name.',
  'peers.saved.named': 'Saved: peers can read your work, with your name.',
  'peers.thankedYou.zero': 'Nobody has thanked you yet.',
  'peers.thankedYou.one': '1 peer thanked you for your work.',
  'peers.thankedYou.other': '{count} peers thanked you for your work.',
};
