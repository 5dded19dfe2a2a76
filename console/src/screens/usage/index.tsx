import { useMemo } from 'react';
import { useT } from '../../i18n';
import { Page } from '../../ui/Page';
import { UsageCharts } from './UsageCharts';
import { UsageLog } from './UsageLog';
import { browserOffset } from '../../ui/dates';
import { messages } from './messages';
import './usage.css';

/**
 * Usage: charts per day and per model over 7/30/90 days (usageAggregates), and the filterable,
 * cursor-paginated log of proxied requests (usageRecords) with CSV export. What the viewer may see
 * (members: their own requests) is the gateway's rule; the screen shows what it answers.
 */
export default function UsageScreen() {
  const t = useT(messages);
  // Days are the person's days: the gateway buckets aggregates in this offset.
  const offset = useMemo(() => browserOffset(), []);
  return (
    <Page title={t('title')}>
      <UsageCharts t={t} offset={offset} />
      <UsageLog t={t} offset={offset} />
    </Page>
  );
}
