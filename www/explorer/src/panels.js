// Small DOM helpers for the sidebar and details panels: lists, definition
// lists, label filters, the message line and downloads. No graph logic.

export const $ = (id) => document.getElementById(id);

/** Creates an element with attributes (`dataset`, `on*` handlers, properties) and children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** Shows a message above the graph; errors stay until the next message. */
export function showMessage(text, isError = false) {
  const box = $('message');
  box.textContent = text;
  box.classList.toggle('error', isError);
  box.hidden = !text;
}

/** A value as short text for the panels. */
export function formatValue(value) {
  if (typeof value === 'bigint') return `${value}`;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value, (k, v) => (typeof v === 'bigint' ? `${v}` : v));
  if (typeof value === 'number' && !Number.isInteger(value)) return String(Math.round(value * 1e6) / 1e6);
  return String(value);
}

/** Fills a <dl> from [term, value] pairs; each <dd> gets `data-key` for tests. */
export function fillDl(dl, entries) {
  dl.replaceChildren(...entries.flatMap(([term, value]) => [el('dt', {}, term), el('dd', { dataset: { key: term } }, formatValue(value))]));
}

/** Fills a list with clickable items `{ id, text }`. */
export function fillList(list, items, onPick) {
  list.replaceChildren(...items.map((item) => el('li', { dataset: { id: item.id }, title: item.id, onclick: () => onPick(item.id) }, item.text)));
}

/** Checkboxes for labels with their counts (checked = shown); `onChange(hiddenLabels)`. */
export function fillLabelFilter(container, counts, colourOf, onChange) {
  const boxes = Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([label, count]) => {
      const box = el('input', { type: 'checkbox', checked: true, value: label, dataset: { label } });
      box.addEventListener('change', () => onChange(boxesOf(container).filter((b) => !b.checked).map((b) => b.value)));
      return el('label', {}, box, colourOf ? el('span', { className: 'swatch', style: `background:${colourOf(label)}` }) : null, `${label} (${count})`);
    });
  container.replaceChildren(...boxes);
}

const boxesOf = (container) => [...container.querySelectorAll('input[type=checkbox]')];

/** Fills a <select> with options; keeps `first` (e.g. "any label") at the top when given. */
export function fillSelect(select, values, first = null) {
  const options = values.map((v) => el('option', { value: v }, v));
  select.replaceChildren(...(first ? [el('option', { value: '' }, first)] : []), ...options);
}

/** Saves bytes or text as a file through a Blob URL. */
export function download(name, data, type) {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const link = el('a', { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
