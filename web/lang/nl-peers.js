// lang/nl-peers.js - de Nederlandse teksten van het werk van andere deelnemers
// (peers.js laadt ze met i18n.js addStrings, bij de pagina van een stap met reviews).

export default {
  'peers.title': 'Hoe andere deelnemers het deden',
  'peers.after': 'Zodra je eigen werk voor deze stap is goedgekeurd, kun je hier lezen hoe andere deelnemers het deden, en je eigen werk delen.',
  'peers.intro': 'Goedgekeurd werk voor deze stap, gedeeld door wie het maakte. Lees het om andere manieren te zien, en zeg dank je wel als het je hielp.',
  'peers.introCoach': 'Goedgekeurd werk voor deze stap, gedeeld door wie het maakte.',
  'peers.none': 'Nog niemand heeft zijn werk voor deze stap gedeeld.',
  'peers.by': 'Van {name}',
  'peers.byPeer': 'Van een andere deelnemer ({n})',
  'peers.thank': 'Zeg dank je wel',
  'peers.thanked': 'Je zei dank je wel',
  'peers.thanks.zero': 'Nog geen bedankjes',
  'peers.thanks.one': '1 bedankje',
  'peers.thanks.other': '{count} bedankjes',
  'peers.share': 'Je werk delen met andere deelnemers die deze stap hebben gehaald?',
  'peers.share.hint': 'Alleen wie zelf deze stap heeft gehaald kan het lezen, en coaches. Je kunt dit altijd veranderen. Je link is ook te zien.',
  'peers.share.none': 'Niet delen',
  'peers.share.anonymous': 'Delen zonder mijn naam',
  'peers.share.named': 'Delen met mijn naam',
  'peers.saved.none': 'Bewaard: je werk is niet gedeeld. Niemand kan het hier nu lezen.',
  'peers.saved.anonymous': 'Bewaard: andere deelnemers kunnen je werk lezen, zonder je naam.',
  'peers.saved.named': 'Bewaard: andere deelnemers kunnen je werk lezen, met je naam.',
  'peers.thankedYou.zero': 'Nog niemand heeft je bedankt.',
  'peers.thankedYou.one': '1 andere deelnemer bedankte je voor je werk.',
  'peers.thankedYou.other': '{count} andere deelnemers bedankten je voor je werk.',
};
