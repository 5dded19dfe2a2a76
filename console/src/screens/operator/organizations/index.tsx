import { useSearchParams } from 'wouter';
import '../../../ui/forms.css';
import { OrganizationDetail } from './OrganizationDetail';
import { OrganizationList } from './OrganizationList';

/** Operators: every organization; `?id=` opens one (wallets, members, keys, plans; grants and adjustments). */
export default function OrganizationsScreen() {
  const [params] = useSearchParams();
  const id = params.get('id');
  return id ? <OrganizationDetail id={id} /> : <OrganizationList />;
}
