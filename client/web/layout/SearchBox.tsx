// A search field with autocomplete: suggestions from the catalog as the fan types (debounced),
// chosen with the arrow keys and Enter or a click (the ARIA combobox pattern). Submitting
// searches for the text as typed.
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { type Suggestion, suggest } from '../../sdk/catalog.ts';
import { http } from '../lib/api.ts';

export interface SearchBoxProps {
  label: string;
  initial?: string;
  /** Called with the text on submit, or with the suggestion chosen. */
  onSearch(q: string, picked?: Suggestion): void;
  /** The visible label's class ("visually-hidden" in the header). */
  labelClass?: string;
}

export function SearchBox({ label, initial = '', onSearch, labelClass }: SearchBoxProps) {
  const [text, setText] = useState(initial);
  const [items, setItems] = useState<Suggestion[]>([]);
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState(false);
  const id = useId();
  const seq = useRef(0);

  useEffect(() => setText(initial), [initial]);

  useEffect(() => {
    const q = text.trim();
    if (q.length < 2 || !open) {
      setItems([]);
      return;
    }
    const mine = ++seq.current;
    const timer = setTimeout(() => {
      suggest(http(), q).then(
        (s) => {
          if (mine === seq.current) {
            setItems(s);
            setActive(-1);
          }
        },
        () => {}, // suggestions are a convenience: the search itself still works
      );
    }, 150);
    return () => clearTimeout(timer);
  }, [text, open]);

  const pick = (s: Suggestion) => {
    setText(s.text);
    setOpen(false);
    onSearch(s.text, s);
  };
  const shown = open && items.length > 0;

  return (
    <form
      class="search-box"
      onSubmit={(e) => {
        e.preventDefault();
        if (shown && active >= 0) return pick(items[active]);
        setOpen(false);
        onSearch(text.trim());
      }}
    >
      <label for={`${id}-q`} class={labelClass}>
        {label}
      </label>
      <div class="combo">
        <input
          id={`${id}-q`}
          type="search"
          name="q"
          autocomplete="off"
          // biome-ignore lint/a11y/noRedundantRoles: without a list attribute a search input is a searchbox, not a combobox
          role="combobox"
          list={undefined}
          aria-expanded={shown}
          aria-controls={`${id}-list`}
          aria-autocomplete="list"
          aria-activedescendant={shown && active >= 0 ? `${id}-opt-${active}` : undefined}
          value={text}
          placeholder="Artist, team, venue or city"
          onInput={(e) => {
            setText(e.currentTarget.value);
            setOpen(true);
          }}
          onKeyDown={(e) => {
            if (!shown) return;
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setActive((a) => (a + 1) % items.length);
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((a) => (a <= 0 ? items.length - 1 : a - 1));
            } else if (e.key === 'Escape') {
              e.preventDefault(); // closes the list only; the search input would also clear itself
              setOpen(false);
            }
          }}
          onBlur={() => setTimeout(() => setOpen(false), 150)}
        />
        <div id={`${id}-list`} role="listbox" class="suggestions" hidden={!shown} aria-label="Suggestions">
          {items.map((s, i) => (
            // The keyboard reaches the options through the input (arrows and Enter, with
            // aria-activedescendant), so they take no focus and need no key handler of their own.
            // biome-ignore lint/a11y/useKeyWithClickEvents: see above
            // biome-ignore lint/a11y/useFocusableInteractive: see above
            <div
              key={`${s.type}-${s.id ?? s.text}`}
              id={`${id}-opt-${i}`}
              role="option"
              aria-selected={i === active}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => pick(s)}
            >
              <span>{s.text}</span>{' '}
              <small>{s.type === 'city' ? 'city' : `${s.type}${s.city ? ` · ${s.city}` : ''}`}</small>
            </div>
          ))}
        </div>
        <button type="submit">Search</button>
      </div>
    </form>
  );
}
