import { LOCALES, type Locale, defineMessages, useLocale, useT } from '../i18n';

const messages = defineMessages({ en: { language: 'Language' }, 'zh-CN': { language: '语言' } });

const LOCALE_NAMES: Record<Locale, string> = { en: 'English', 'zh-CN': '简体中文' };

export function LocaleSelect() {
  const t = useT(messages);
  const { locale, setLocale } = useLocale();
  return (
    <label className="locale">
      <span className="sr-only">{t('language')}</span>
      <select value={locale} onChange={(e) => setLocale(e.target.value as Locale)}>
        {LOCALES.map((l) => (
          <option key={l} value={l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
