import { Page } from '../../../ui/Page';

// Placeholder until this screen is built (issue 20).
export default function Screen() {
  return <Page title="outbox">{null}</Page>;
}
