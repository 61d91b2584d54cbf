// lang/nl-reflections.js - de Nederlandse teksten van de reflecties van een
// groep (reflections.js laadt ze met i18n.js addStrings als ze voor het eerst open gaan).

export default {
  'reflections.title': 'Reflecties van {group} bij {track}',
  'reflections.back': 'Terug naar het bord',
  'reflections.intro': 'Wat je deelnemers schreven over samenwerken. Andere deelnemers reageren eerst; een korte, warme reactie van jou betekent veel.',
  'reflections.none': 'Nog geen reflecties ingeleverd.',
  'reflections.of': '{name}: {title}',
  'reflections.when': 'Ingeleverd {when} (poging {attempt})',
  'reflections.by': '{name}, {when}',
  'reflections.comment': 'Jouw reactie',
  'reflections.comment.hint': 'De deelnemer ziet hem bij de reflectie, en krijgt een melding.',
  'reflections.send': 'Reactie versturen',
  'reflections.sent': 'Je reactie is verstuurd.',
  'reflections.empty': 'Schrijf eerst een reactie.',
};
