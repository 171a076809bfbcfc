// Reactive props for mounting the Gantt outside a Svelte parent (the benchmark page).
import type { GanttData } from "../lib/gantt";

export function createProps() {
  const props = $state({
    data: null as unknown as GanttData,
    pxPerHour: 10,
    columns: [{ label: "Task", width: 200, value: (row: { label: string }) => row.label }],
  });
  return props;
}
