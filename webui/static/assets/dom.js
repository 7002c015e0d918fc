// Small DOM helpers: elements are built with properties, never with HTML
// strings, so camera names cannot inject markup.

/**
 * h('div', {class: 'x', dataset: {id: 'a'}, title: 't'}, child, 'text')
 * Keys: class, dataset, attrs (setAttribute), on (listeners); others are
 * assigned as properties.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'attrs') for (const [k, v] of Object.entries(value)) el.setAttribute(k, v);
    else if (key === 'on') for (const [k, v] of Object.entries(value)) el.addEventListener(k, v);
    else el[key] = value;
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);

/** Shows or hides an element with the hidden attribute. */
export function show(el, visible = true) {
  el.hidden = !visible;
}
