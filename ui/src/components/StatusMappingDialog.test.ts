import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { api } from "../lib/api";
import StatusMappingDialog from "./StatusMappingDialog.svelte";

const request = { file: "/home/anna/jira.csv", source: "jira", statuses: ["Ready for rollout", "Parked"] };
const summary = {
  cis: 2,
  changes: 4,
  releases: 0,
  models: 0,
  windows: 0,
  freezes: 0,
  service_hours: 0,
  environments: 0,
  test_runs: 0,
  created_cis: ["portal", "auth"],
  incidents: 0,
  unlinked_incidents: [],
};

describe("StatusMappingDialog", () => {
  beforeEach(() => vi.restoreAllMocks());

  it("imports only when every status is mapped, with the mapping the user chose", async () => {
    const importing = vi.spyOn(api, "importPendingCsv").mockResolvedValue(summary);
    const ondone = vi.fn();
    render(StatusMappingDialog, { request, ondone });

    await fireEvent.click(screen.getByText("Import"));
    expect(document.getElementById("mapping-error")?.textContent).toContain("“Ready for rollout”, “Parked”");
    expect(importing).not.toHaveBeenCalled();

    await fireEvent.change(document.getElementById("mapping-0")!, { target: { value: "authorized" } });
    await fireEvent.change(document.getElementById("mapping-1")!, { target: { value: "draft" } });
    await fireEvent.click(document.getElementById("mapping-create-cis")!);
    await fireEvent.click(screen.getByText("Import"));

    await waitFor(() => expect(ondone).toHaveBeenCalledWith(summary));
    expect(importing).toHaveBeenCalledWith({
      strict_cis: true,
      status_map: { "ready for rollout": "authorized", parked: "draft" },
    });
  });

  it("cancelling drops the file the menu put aside", async () => {
    const cancelling = vi.spyOn(api, "cancelPendingImport").mockResolvedValue(null);
    const ondone = vi.fn();
    render(StatusMappingDialog, { request, ondone });
    await fireEvent.click(document.getElementById("mapping-cancel")!);
    await waitFor(() => expect(ondone).toHaveBeenCalledWith(null));
    expect(cancelling).toHaveBeenCalled();
  });
});
