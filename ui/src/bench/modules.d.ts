// frappe-gantt ships no type declarations; the benchmark only constructs it.
declare module "frappe-gantt" {
  const FrappeGantt: new (element: HTMLElement, tasks: unknown[], options: Record<string, unknown>) => unknown;
  export default FrappeGantt;
}
declare module "*.css";
declare module "*?url" {
  const url: string;
  export default url;
}
