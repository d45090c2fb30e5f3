// Which rows of a fixed-row-height list are on screen: the history renders only those, so 10,000
// records cost the same as 30.

export interface VisibleRange {
  /** First row index to render (inclusive). */
  start: number;
  /** Last row index to render (exclusive). */
  end: number;
  /** Pixel offset of row `start` from the top of the scroll content. */
  offsetPx: number;
  /** Height of the whole scroll content. */
  totalPx: number;
}

export function visibleRange(count: number, rowHeightPx: number, scrollTopPx: number, viewportPx: number, overscan = 6): VisibleRange {
  const totalPx = count * rowHeightPx;
  if (count === 0 || rowHeightPx <= 0) return { start: 0, end: 0, offsetPx: 0, totalPx };
  const top = Math.max(0, Math.min(scrollTopPx, Math.max(0, totalPx - viewportPx)));
  const first = Math.floor(top / rowHeightPx);
  const visibleCount = Math.ceil(Math.max(0, viewportPx) / rowHeightPx) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visibleCount + overscan);
  return { start, end, offsetPx: start * rowHeightPx, totalPx };
}

/** The scrollTop that brings `index` into view with the least movement (unchanged when already visible). */
export function scrollToReveal(index: number, rowHeightPx: number, scrollTopPx: number, viewportPx: number): number {
  const rowTop = index * rowHeightPx;
  const rowBottom = rowTop + rowHeightPx;
  if (rowTop < scrollTopPx) return rowTop;
  if (rowBottom > scrollTopPx + viewportPx) return Math.max(0, rowBottom - viewportPx);
  return scrollTopPx;
}
