import { useT } from '../../../i18n';
import '../../../ui/forms.css';
import { Card, Page } from '../../../ui/Page';
import { DriftCheck } from './DriftCheck';
import { LagoCheck } from './LagoCheck';
import { LedgerCheck } from './LedgerCheck';
import { messages } from './messages';

/** Operators: proofs that the ledger, LiteLLM and Lago agree, each run when asked (they cost real work). */
export default function HealthScreen() {
  const t = useT(messages);
  return (
    <Page title={t('title')}>
      <Card title={t('ledger')}>
        <LedgerCheck />
      </Card>
      <Card title={t('drift')}>
        <DriftCheck />
      </Card>
      <Card title={t('lago')}>
        <LagoCheck />
      </Card>
    </Page>
  );
}
