import { useT } from '../../../i18n';
import '../../../ui/forms.css';
import { Card, Page } from '../../../ui/Page';
import { Disputes } from './Disputes';
import { messages } from './messages';
import { PaymentsList } from './PaymentsList';

/** Operators: payments needing review (release), refunds (partial allowed) and disputes. */
export default function PaymentsScreen() {
  const t = useT(messages);
  return (
    <Page title={t('title')}>
      <Card title={t('payments')}>
        <PaymentsList />
      </Card>
      <Card title={t('disputes')}>
        <Disputes />
      </Card>
    </Page>
  );
}
