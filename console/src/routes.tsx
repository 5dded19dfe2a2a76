import type { ComponentType } from 'react';
import { defineMessages } from './i18n';
import Account from './screens/account';
import ApiKeys from './screens/api-keys';
import Overview from './screens/overview';
import TopUp from './screens/top-up';
import Team from './screens/team';
import Usage from './screens/usage';
import OperatorHealth from './screens/operator/health';
import OperatorOrganizations from './screens/operator/organizations';
import OperatorOutbox from './screens/operator/outbox';
import OperatorPayments from './screens/operator/payments';
import OperatorPlans from './screens/operator/plans';
import OperatorPricing from './screens/operator/pricing';
import OperatorRisk from './screens/operator/risk';
import ForgotPassword from './screens/sign-in/ForgotPassword';
import ResetPassword from './screens/sign-in/ResetPassword';
import SignIn from './screens/sign-in/SignIn';
import SignUp from './screens/sign-in/SignUp';
import VerifyEmail from './screens/sign-in/VerifyEmail';
import type { Viewer } from './viewer';

export const navMessages = defineMessages({
  en: {
    overview: 'Overview',
    usage: 'Usage',
    keys: 'API keys',
    topUp: 'Top up',
    team: 'Team',
    operator: 'Operator',
    organizations: 'Organizations',
    pricing: 'Prices',
    plans: 'Plans',
    risk: 'Risk',
    payments: 'Payments and disputes',
    outbox: 'Outbox',
    health: 'Consistency',
    account: 'Account',
  },
  'zh-CN': {
    overview: '概览',
    usage: '用量',
    keys: 'API 密钥',
    topUp: '充值',
    team: '团队',
    operator: '运营',
    organizations: '组织',
    pricing: '价格',
    plans: '套餐',
    risk: '风控',
    payments: '支付与争议',
    outbox: '发件箱',
    health: '一致性',
    account: '账户',
  },
});

export type NavKey = keyof (typeof navMessages)['en'];

export interface ScreenRoute {
  path: string;
  nav: NavKey;
  section: 'customer' | 'operator' | 'account';
  component: ComponentType;
  /** Whether the nav shows it; the gateway enforces access whatever the console shows. */
  visible: (v: Viewer) => boolean;
}

const isOperator = (v: Viewer) => v.isPlatformAdmin;
const isPerson = (v: Viewer) => v.kind === 'session';
const inOrganization = (v: Viewer) => v.organization !== null && v.organization !== undefined;

/** Every screen of the console (paths are below /console). */
export const ROUTES: ScreenRoute[] = [
  { path: '/', nav: 'overview', section: 'customer', component: Overview, visible: inOrganization },
  { path: '/usage', nav: 'usage', section: 'customer', component: Usage, visible: inOrganization },
  { path: '/keys', nav: 'keys', section: 'customer', component: ApiKeys, visible: inOrganization },
  { path: '/top-up', nav: 'topUp', section: 'customer', component: TopUp, visible: inOrganization },
  { path: '/team', nav: 'team', section: 'customer', component: Team, visible: inOrganization },
  {
    path: '/operator/organizations',
    nav: 'organizations',
    section: 'operator',
    component: OperatorOrganizations,
    visible: isOperator,
  },
  {
    path: '/operator/pricing',
    nav: 'pricing',
    section: 'operator',
    component: OperatorPricing,
    visible: isOperator,
  },
  {
    path: '/operator/plans',
    nav: 'plans',
    section: 'operator',
    component: OperatorPlans,
    visible: isOperator,
  },
  { path: '/operator/risk', nav: 'risk', section: 'operator', component: OperatorRisk, visible: isOperator },
  {
    path: '/operator/payments',
    nav: 'payments',
    section: 'operator',
    component: OperatorPayments,
    visible: isOperator,
  },
  {
    path: '/operator/outbox',
    nav: 'outbox',
    section: 'operator',
    component: OperatorOutbox,
    visible: isOperator,
  },
  {
    path: '/operator/health',
    nav: 'health',
    section: 'operator',
    component: OperatorHealth,
    visible: isOperator,
  },
  { path: '/account', nav: 'account', section: 'account', component: Account, visible: isPerson },
];

/** Screens that need no session (signing in, and the links sent by email). */
export const PUBLIC_ROUTES: { path: string; component: ComponentType }[] = [
  { path: '/sign-in', component: SignIn },
  { path: '/sign-up', component: SignUp },
  { path: '/verify-email', component: VerifyEmail },
  { path: '/forgot-password', component: ForgotPassword },
  { path: '/reset-password', component: ResetPassword },
];
