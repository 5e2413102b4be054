import { useEffect, useState } from "react";

/**
 * The value once it has stopped changing for `delayMs`: what a search box sends while the user types, so
 * each keystroke does not become a request (the field itself shows every keystroke at once).
 */
export function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}
