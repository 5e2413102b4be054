import type { ReactNode } from "react";

/** A field with the server's message beneath it; `disabled` for what the event's state freezes. */
export function Field(props: { children: ReactNode; hint: ReactNode; wide?: boolean; disabled?: boolean }) {
  return (
    <fieldset className={`flex flex-col ${props.wide ? "md:col-span-2" : ""}`} disabled={props.disabled}>
      {props.children}
      {props.hint}
    </fieldset>
  );
}
