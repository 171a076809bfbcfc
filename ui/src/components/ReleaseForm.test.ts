import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { ApiError, api, asWritten } from "../lib/api";
import ReleaseForm from "./ReleaseForm.svelte";

function props() {
  return { release: null, onsaved: vi.fn(), oncancel: vi.fn(), ondelete: vi.fn() };
}

async function type(id: string, text: string) {
  await fireEvent.input(document.getElementById(id)!, { target: { value: text } });
}

describe("ReleaseForm", () => {
  beforeEach(() => vi.restoreAllMocks());

  it("shows each refused field's message next to it", async () => {
    vi.spyOn(api, "createRelease").mockRejectedValue(
      new ApiError({
        kind: "validation",
        message: "…",
        says: asWritten("…"),
        fields: [
          { field: "title", message: "must not be empty" },
          { field: "planned_end", message: "must not be before the planned start (2026-03-14)" },
        ],
        rules: [],
      }),
    );
    const p = props();
    render(ReleaseForm, p);
    await fireEvent.click(screen.getByText("Create release"));

    await waitFor(() => expect(document.getElementById("error-title")?.textContent).toBe("must not be empty"));
    expect(document.getElementById("error-planned_end")?.textContent).toContain("2026-03-14");
    expect(document.getElementById("field-title")?.getAttribute("aria-invalid")).toBe("true");
    expect(document.getElementById("form-error")?.textContent).toBe("Please correct the highlighted fields.");
    expect(p.onsaved).not.toHaveBeenCalled();
  });

  it("sends what was typed and reports the new release", async () => {
    const create = vi.spyOn(api, "createRelease").mockImplementation(async (draft) => ({
      ...draft,
      stage: "planning",
      needs_revision: false,
      demo: false,
      package_type: "delta",
      base: null,
      version: 1,
      created_at: "2026-02-01T10:00:00Z",
      created_by: "anna",
      updated_at: "2026-02-01T10:00:00Z",
      updated_by: "anna",
    }));
    const p = props();
    render(ReleaseForm, p);
    await type("field-key", "REL-2026-014");
    await type("field-title", "Payroll 4.2");
    await type("field-planned_start", "2026-03-01");
    await type("field-planned_end", "2026-03-14");
    await type("field-owner", "   ");
    await fireEvent.click(screen.getByText("Create release"));

    await waitFor(() => expect(p.onsaved).toHaveBeenCalledOnce());
    expect(create).toHaveBeenCalledWith({
      key: "REL-2026-014",
      title: "Payroll 4.2",
      type: "minor",
      planned_start: "2026-03-01",
      planned_end: "2026-03-14",
      owner: null,
      risk: null,
      requester: null,
      dev_docs: null,
      ops_docs: null,
    });
    expect(p.onsaved.mock.calls[0]![1]).toBe(true);
  });

  it("echoes a typed date in the reader's format", async () => {
    render(ReleaseForm, props());
    await type("field-planned_start", "2026-03-01");
    expect(screen.getByText("Mar 1, 2026")).toBeTruthy();
  });
});
