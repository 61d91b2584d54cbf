// dom.js - building the page with the DOM, never from strings of user data:
// elements with their attributes and children, labelled controls, error
// lines, and the keyboard's focus. Imports nothing; every page uses it.

export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'text') element.textContent = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// Puts the keyboard's focus on an element that is not a control.
export function focusOn(element, options) {
  element.setAttribute('tabindex', '-1');
  element.focus(options);
}

// A failure said where it happened: hidden until given its text.
export function errorLine() {
  return h('p', { class: 'form-error', role: 'alert', hidden: true });
}

// A control with its label and hint in a div.field; the hint is read out with it.
export function labelled(control, label, hint) {
  const hintId = hint ? `${control.id}-hint` : null;
  if (hint) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: control.id, text: label }),
    hint ? h('p', { class: 'hint', id: hintId, text: hint }) : null, control);
}

// A translated sentence with an element in the place of {name}.
export function sentenceWith(text, name, element) {
  const [before, after = ''] = text.split(`{${name}}`);
  return [before, element, after];
}
