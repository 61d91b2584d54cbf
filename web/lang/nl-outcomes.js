// lang/nl-outcomes.js - de Nederlandse teksten van wat er van deelnemers
// terechtkwam (outcomes.js laadt ze met i18n.js addStrings als ze nodig zijn).

export default {
  'outcome.record': 'Leg vast wat er van {name} terechtkwam',
  'outcome.kind': 'Uitkomst',
  'outcome.kind.job': 'Baan',
  'outcome.kind.internship': 'Stage',
  'outcome.kind.study': 'Verder studeren',
  'outcome.kind.stopped': 'Gestopt',
  'outcome.date': 'Datum waarop het gebeurde',
  'outcome.note': 'Notitie',
  'outcome.note.hint': 'Niet verplicht: waar, en wat het team moet weten.',
  'outcome.save': 'Uitkomst opslaan',
  'outcome.saved': 'Opgeslagen: {name}, {kind}.',
  'outcome.figures': 'Uitkomsten',
  'outcome.figures.hint': 'Wat er van de deelnemers van elk centrum en elke groep terechtkwam, zoals hun coaches het vastlegden, en het mediane aantal dagen van aanmelden tot dan. De rij van een centrum telt de groepen eronder op.',
  'outcome.figures.caption': 'Uitkomsten per centrum en groep',
  'outcome.centre': 'Centrum {centre}',
  'outcome.figures.none': 'Nog geen groepen.',
  'outcome.group': 'Centrum of groep',
  'outcome.learners': 'Deelnemers',
  'outcome.median': 'Mediaan dagen vanaf aanmelden',
  'outcome.export': 'Exporteren',
  'outcome.csv': 'CSV van {cohort}',
};
