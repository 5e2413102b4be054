import { act, cleanup, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Countdown } from "../src/components/countdown.js";

describe("Countdown", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-12-07T12:00:00Z"));
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it("counts the time left down each second, as minutes and seconds", () => {
    render(<Countdown deadline={Date.now() + 125_000} />);
    expect(screen.getByTestId("countdown").textContent).toBe("2:05");
    act(() => {
      vi.advanceTimersByTime(1000);
    });
    expect(screen.getByTestId("countdown").textContent).toBe("2:04");
    act(() => {
      vi.advanceTimersByTime(64_000);
    });
    expect(screen.getByTestId("countdown").textContent).toBe("1:00");
  });

  it("says the last minute to screen readers and calls onExpire once at zero", () => {
    const onExpire = vi.fn();
    render(<Countdown deadline={Date.now() + 61_000} onExpire={onExpire} />);
    expect(screen.queryByText(/less than a minute/i)).toBeNull();
    act(() => {
      vi.advanceTimersByTime(2000);
    });
    expect(screen.getByText(/less than a minute/i)).toBeTruthy();
    act(() => {
      vi.advanceTimersByTime(60_000);
    });
    expect(screen.getByTestId("countdown").textContent).toBe("0:00");
    act(() => {
      vi.advanceTimersByTime(5000);
    });
    expect(onExpire).toHaveBeenCalledTimes(1);
  });
});
