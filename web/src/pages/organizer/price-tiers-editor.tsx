import type { Section } from "@marquee/proto/marquee/catalog/v1/resources_pb.js";
import type { ReactNode } from "react";
import { TextField } from "../../components/form-fields.js";
import { useI18n } from "../../i18n/index.js";
import type { TierDraft } from "./event-draft.js";
import { Field } from "./field.js";

/**
 * An event's prices: each a name, an amount and the sections it prices. "A price per section" starts one
 * tier per section of the venue, named after it, which is what most organizers want.
 */
export function PriceTiersEditor(props: {
  tiers: readonly TierDraft[];
  sections: readonly Section[];
  onChange: (tiers: TierDraft[]) => void;
  hint: (path: string) => ReactNode;
  isReadOnly: boolean;
}) {
  const { t } = useI18n();
  const { tiers, sections, hint } = props;
  const onChange = (next: readonly TierDraft[]) => props.onChange([...next]);
  const change = (index: number, patch: Partial<TierDraft>) =>
    onChange(tiers.map((tier, j) => (j === index ? { ...tier, ...patch } : tier)));
  const pricePerSection = () =>
    onChange(sections.map((section) => ({ id: "", name: section.name, price: "", sectionIds: [section.id] })));
  return (
    <fieldset className="fieldset card bg-base-100 p-4 shadow-sm" disabled={props.isReadOnly}>
      <legend className="fieldset-legend">{t("organizer.event.prices")}</legend>
      {hint("price_tiers")}
      {tiers.map((tier, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a new tier has no id yet; its fields are controlled, so a shift keeps nothing stale
        <div key={`${tier.id}-${i}`} className="flex flex-wrap items-end gap-3 border-b border-base-300 pb-2">
          <Field hint={hint(`price_tiers[${i}].name`)}>
            <TextField label="organizer.event.tierName" value={tier.name} onChange={(name) => change(i, { name })} />
          </Field>
          <Field hint={hint(`price_tiers[${i}].price`) ?? hint(`price_tiers[${i}].price.amount_minor`)}>
            <TextField
              label="organizer.event.price"
              inputMode="decimal"
              value={tier.price}
              aria-label={t("organizer.event.priceOf", { name: tier.name })}
              onChange={(price) => change(i, { price })}
            />
          </Field>
          <fieldset
            className="flex flex-wrap gap-2"
            aria-label={t("organizer.event.tierSections", { name: tier.name })}
          >
            {sections.map((section) => (
              <label key={section.id} className="label cursor-pointer gap-1">
                <input
                  type="checkbox"
                  className="checkbox checkbox-sm"
                  checked={tier.sectionIds.includes(section.id)}
                  onChange={(e) => {
                    const sectionIds = e.target.checked
                      ? [...tier.sectionIds, section.id]
                      : tier.sectionIds.filter((id) => id !== section.id);
                    change(i, { sectionIds });
                  }}
                />
                <span>{section.name}</span>
              </label>
            ))}
          </fieldset>
          {hint(`price_tiers[${i}]`)}
          <button
            type="button"
            className="btn btn-sm btn-ghost"
            onClick={() => onChange(tiers.filter((_, j) => j !== i))}
          >
            {t("organizer.event.removeTier")}
          </button>
        </div>
      ))}
      <div className="flex gap-2">
        <button
          type="button"
          className="btn btn-sm"
          onClick={() => onChange([...tiers, { id: "", name: "", price: "", sectionIds: [] }])}
        >
          {t("organizer.event.addTier")}
        </button>
        <button type="button" className="btn btn-sm" disabled={sections.length === 0} onClick={pricePerSection}>
          {t("organizer.event.pricePerSection")}
        </button>
      </div>
    </fieldset>
  );
}
