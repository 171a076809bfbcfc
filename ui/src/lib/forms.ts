/** The values chosen in a (multiple) select, read from the DOM: what the user sees is what counts. */
export function selectedValues(select: HTMLSelectElement | undefined): string[] {
  return select ? Array.from(select.selectedOptions, (o) => o.value).filter((v) => v !== "") : [];
}
