// lang/nl-inbox.js - de Nederlandse teksten van de meldingenpagina
// (inbox.js laadt ze met i18n.js addStrings wanneer die voor het eerst opent).

export default {
  'inbox.title': 'Meldingen',
  'inbox.none': 'Nog geen meldingen. Reviews die je moet doen, reviews van jouw werk, vragen van andere deelnemers en berichten van je coach verschijnen hier.',
  'inbox.new': 'Nieuw',
  'inbox.open': 'Openen',
  'inbox.read': 'Markeer als gelezen',
  'inbox.readAll': 'Markeer alles als gelezen',
  'inbox.marked': 'Gemarkeerd als gelezen.',
  'inbox.markedAll': 'Alles gemarkeerd als gelezen.',
  'inbox.browser': 'Meldingen van je browser',
  'inbox.browser.intro': 'Laat je browser het je vertellen als je een review moet doen, een review van je werk krijgt, een andere deelnemer je iets vraagt of je coach je een bericht stuurt, ook als deze pagina op de achtergrond staat. Alleen op dit apparaat.',
  'inbox.browser.on': 'Browsermeldingen aanzetten',
  'inbox.browser.off': 'Browsermeldingen uitzetten',
  'inbox.browser.isOn': 'Browsermeldingen staan aan op dit apparaat.',
  'inbox.browser.isOff': 'Browsermeldingen staan uit op dit apparaat.',
  'inbox.browser.denied': 'Je browser blokkeert meldingen van deze site. Je kunt ze toestaan in de instellingen van je browser voor deze site.',
  'inbox.browser.none': 'Deze browser kan geen meldingen tonen.',
  'home.recent': 'Recent',
  'home.recent.all': 'Alle meldingen',
  'note.review_assigned': 'Nieuw werk om te reviewen: {title}',
  'note.verdict': 'Er kwam een review binnen van je werk bij “{step}”.',
  'note.help_request': 'Een andere deelnemer vraagt hulp bij “{title}”.',
  'note.nudge': 'Bericht van {name}: {body}',
  'note.reflection_comment': '{name} reageerde op je reflectie “{title}”: {body}',
};
