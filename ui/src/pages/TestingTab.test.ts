import { fireEvent, render, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { JudgedRun } from "../bindings/JudgedRun";
import type { TestingView } from "../bindings/TestingView";
import type { Message } from "../bindings/Message";
import { ApiError, api, asWritten } from "../lib/api";
import TestingTab from "./TestingTab.svelte";

const run = (id: number, counts: boolean, why: Message[] = []): JudgedRun => ({
  id,
  release: "REL-1",
  env: "lab-1",
  kind: "functional",
  result: "passed",
  from: "2026-12-01T09:00:00Z",
  to: "2026-12-01T10:00:00Z",
  defects: id === 2 ? [{ id: "BUG-7", severity: "high", opened_at: "2026-12-01T10:00:00Z", closed_at: null }] : [],
  notes: "",
  evidence: null,
  versions: {},
  rollback: null,
  by: "tom",
  counts,
  why_not: why,
});

const view: TestingView = {
  release: "REL-1",
  bookings: [{ id: 1, env: "lab-1", release: "REL-1", from: "2026-12-01T08:00:00Z", to: "2026-12-03T08:00:00Z", purpose: "code_change", by: "rita" }],
  environments: [{ env: "lab-1", drift: [{ ci: "api", installed: "2.1", expected: "2.2" }] }],
  runs: [
    run(1, false, [
      {
        key: "run.drift",
        params: {
          drift: { message: { key: "drift.differs", params: { ci: { text: "api" }, installed: { text: "2.1" }, expected: { text: "2.2" } } } },
        },
      },
    ]),
    run(2, true),
  ],
  required: ["functional", "installation"],
  problem_free: {
    days: 3,
    since: "2026-12-01T10:00:00Z",
    since_what: { key: "problem_free.run_failed", params: { id: { count: 2 }, kind: { word: "test_kind.functional" } } },
    ends: "2026-12-04T10:00:00Z",
    open_defects: ["BUG-7 (high)"],
    progress: 0,
    elapsed: false,
  },
  rules: [
    { code: "TEST-RUNS-PASSED", ok: false, message: asWritten("No passing run that counts"), remedy: asWritten("Record one"), area: "testing" },
    { code: "TEST-ENV-BOOKED", ok: true, message: { key: "rule.TEST-ENV-BOOKED.pass", params: { count: { count: 1 }, envs: { text: "lab-1" } } }, remedy: null, area: "testing" },
  ],
};

describe("TestingTab", () => {
  beforeEach(() => {
    vi.restoreAllMocks();
    vi.spyOn(api, "listEnvironments").mockResolvedValue([]);
  });

  it("shows why a run does not count, the drift, open defects and the rules", async () => {
    vi.spyOn(api, "getTesting").mockResolvedValue(view);
    render(TestingTab, { key: "REL-1", releaseType: "minor", notify: vi.fn(), onchanged: vi.fn() });
    await waitFor(() => expect(document.querySelector("#runs")).not.toBeNull());
    const first = document.querySelector("#runs tr[data-run='1']")!;
    expect(first.getAttribute("data-counts")).toBe("false");
    expect(first.textContent).toContain("drift when it started: api is 2.1 but should be 2.2");
    expect(document.querySelector("#runs tr[data-run='2']")!.getAttribute("data-counts")).toBe("true");
    expect(document.querySelector(".drift[data-env='lab-1']")!.textContent).toContain("api: 2.1 → 2.2");
    expect(document.getElementById("period-blocked")!.textContent).toContain("BUG-7 (high)");
    expect(document.querySelector("[data-code='TEST-RUNS-PASSED']")!.getAttribute("data-ok")).toBe("false");
    expect(document.querySelector("[data-code='TEST-ENV-BOOKED']")!.getAttribute("data-ok")).toBe("true");
    expect(document.querySelector("[role='progressbar']")!.getAttribute("aria-valuenow")).toBe("0");
  });

  it("records a run with its defects and shows a refusal next to the form", async () => {
    vi.spyOn(api, "getTesting").mockResolvedValue({ ...view, runs: [] });
    const recording = vi.spyOn(api, "recordRun").mockRejectedValueOnce(
      new ApiError({ kind: "validation", message: "the run cannot end before it starts", says: asWritten("the run cannot end before it starts"), fields: [{ field: "to", message: "the run cannot end before it starts" }], rules: [] }),
    );
    const notify = vi.fn();
    render(TestingTab, { key: "REL-1", releaseType: "minor", notify, onchanged: vi.fn() });
    await waitFor(() => expect(document.getElementById("run-form")).not.toBeNull());
    await fireEvent.input(document.getElementById("run-defects")!, { target: { value: "BUG-9:critical\nBUG-10" } });
    await fireEvent.submit(document.getElementById("run-form")!);
    await waitFor(() => expect(document.querySelector("[data-field='to']")?.textContent).toContain("cannot end before it starts"));
    const draft = recording.mock.calls[0]![0];
    expect(draft.env).toBe("lab-1");
    expect(draft.defects).toEqual([
      { id: "BUG-9", severity: "critical" },
      { id: "BUG-10", severity: "medium" },
    ]);
    expect(notify).not.toHaveBeenCalled();
  });
});
