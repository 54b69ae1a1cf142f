// One price input per chart category (empty: the category is not on sale), read as minor units.
import type { ChartCategory } from '../../../src/domain/chart.ts';
import { moneyInput, parseMoney } from './format.ts';

/** The inputs' texts by category id. */
export type PriceTexts = Record<string, string>;

export function textsFrom(tiers: Record<string, number>): PriceTexts {
  return Object.fromEntries(Object.entries(tiers).map(([k, v]) => [k, moneyInput(v)]));
}

/** Price tiers from the texts; an unreadable price names its category. */
export function tiersFrom(
  texts: PriceTexts,
): { ok: true; tiers: Record<string, number> } | { ok: false; error: string } {
  const tiers: Record<string, number> = {};
  for (const [k, v] of Object.entries(texts)) {
    if (v.trim() === '') continue;
    const minor = parseMoney(v);
    if (minor === null) return { ok: false, error: `The price of ${k} is not an amount such as 49.90.` };
    tiers[k] = minor;
  }
  return { ok: true, tiers };
}

export function PriceInputs(props: {
  idPrefix: string;
  categories: ChartCategory[];
  value: PriceTexts;
  onChange: (v: PriceTexts) => void;
  disabled?: boolean;
}) {
  return (
    <div class="row">
      {props.categories.map((c) => {
        const id = `${props.idPrefix}-price-${c.id}`;
        return (
          <div class="field" key={c.id}>
            <label for={id}>
              {c.name} ({c.id})
            </label>
            <input
              id={id}
              inputMode="decimal"
              size={8}
              placeholder="not on sale"
              disabled={props.disabled}
              value={props.value[c.id] ?? ''}
              onInput={(e) => props.onChange({ ...props.value, [c.id]: e.currentTarget.value })}
            />
          </div>
        );
      })}
    </div>
  );
}
