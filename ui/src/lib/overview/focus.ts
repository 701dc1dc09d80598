import type { View } from "../api";

/** A week of the Overview's timeline, opened in its employee list: the view, its people, a label. */
export type Focus = { view: View; ids: number[]; label: string };
