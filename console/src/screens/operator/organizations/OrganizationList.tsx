import { useState } from 'react';
import { useQuery } from 'urql';
import { Link } from 'wouter';
import { useT } from '../../../i18n';
import { ErrorNotice } from '../../../ui/ErrorNotice';
import { Card, Page } from '../../../ui/Page';
import { PagedTable } from '../../../ui/PagedTable';
import { formatUtc } from '../../../ui/dates';
import { messages } from './messages';
import { OrganizationsDocument } from './operations';

const PAGE = 100;

export function OrganizationList() {
  const t = useT(messages);
  const [after, setAfter] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [{ data, error, fetching }] = useQuery({
    query: OrganizationsDocument,
    variables: { first: PAGE, after },
  });
  const needle = search.trim().toLowerCase();
  const rows = (data?.organizations.edges ?? [])
    .map((e) => e.node)
    .filter(
      (o) =>
        !needle ||
        o.name.toLowerCase().includes(needle) ||
        o.slug.includes(needle) ||
        o.id.toLowerCase() === needle,
    );
  const pageInfo = data?.organizations.pageInfo;
  return (
    <Page title={t('title')}>
      <ErrorNotice error={error} />
      <Card>
        <label>
          {t('search')}
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
          <span className="field-hint">{t('searchHint')}</span>
        </label>
        <PagedTable
          scroll={false}
          loading={fetching && !data}
          pageInfo={pageInfo}
          after={after}
          onAfter={setAfter}
          caption={t('list')}
          rows={rows}
          rowKey={(o) => o.id}
          empty={t('none')}
          columns={[
            {
              key: 'name',
              header: t('name'),
              cell: (o) => (
                <Link href={`/operator/organizations?id=${encodeURIComponent(o.id)}`}>{o.name}</Link>
              ),
            },
            { key: 'slug', header: t('slug'), cell: (o) => o.slug },
            { key: 'status', header: t('status'), cell: (o) => o.status },
            { key: 'created', header: t('created'), cell: (o) => formatUtc(o.createdAt) },
          ]}
        />
      </Card>
    </Page>
  );
}
