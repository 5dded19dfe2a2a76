import { defineMessages } from '../../i18n';

export const messages = defineMessages({
  en: {
    title: 'Account',
    profile: 'Profile',
    email: 'Email',
    name: 'Name',
    memberships: 'Organizations',
    organization: 'Organization',
    role: 'Role',
    roleOWNER: 'Owner',
    roleADMIN: 'Admin',
    roleMEMBER: 'Member',
    current: 'current',
    operator: 'Platform operator',
    none: 'No organization.',
  },
  'zh-CN': {
    title: '账户',
    profile: '个人资料',
    email: '邮箱',
    name: '姓名',
    memberships: '所属组织',
    organization: '组织',
    role: '角色',
    roleOWNER: '所有者',
    roleADMIN: '管理员',
    roleMEMBER: '成员',
    current: '当前',
    operator: '平台运营者',
    none: '没有组织。',
  },
});
