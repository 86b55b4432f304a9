import { KpiFoldJob } from '@/modules/analytics/kpi-fold.job';
import type { FoldRun } from '@/modules/analytics/kpi-fold.repository';
import type { TestApp } from './app';

/**
 * Folds the events queued for the KPI rollups now (the job does it every KPI_FOLD_INTERVAL_MS):
 * KPI reads and checks right after posting events see them.
 */
export function foldKpis(t: TestApp): Promise<FoldRun> {
  return t.app.get(KpiFoldJob).runOnce();
}
