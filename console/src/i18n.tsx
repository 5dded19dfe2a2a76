import { type ReactNode, createContext, useCallback, useContext, useMemo, useState } from 'react';

/**
 * English and Simplified Chinese. Each screen keeps its own messages next to it
 * (`const messages = defineMessages({ en: {...}, 'zh-CN': {...} })`), so screens never edit one shared
 * dictionary; `zh-CN` must have every key `en` has (the type says so).
 */
export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

type Dict = Record<string, string>;
export function defineMessages<E extends Dict>(m: { en: E; 'zh-CN': { [K in keyof E]: string } }) {
  return m;
}

const LocaleContext = createContext<{ locale: Locale; setLocale: (l: Locale) => void }>({
  locale: 'en',
  setLocale: () => {},
});

function initialLocale(): Locale {
  const saved = localStorage.getItem('tollgate.locale');
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function LocaleProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const setLocale = useCallback((l: Locale) => {
    localStorage.setItem('tollgate.locale', l);
    document.documentElement.lang = l;
    setLocaleState(l);
  }, []);
  const value = useMemo(() => ({ locale, setLocale }), [locale, setLocale]);
  document.documentElement.lang = locale;
  return <LocaleContext.Provider value={value}>{children}</LocaleContext.Provider>;
}

export function useLocale() {
  return useContext(LocaleContext);
}

/** `t('key', { n: 3 })` replaces `{n}` in the message of the current locale. */
export function useT<E extends Dict>(messages: { en: E; 'zh-CN': { [K in keyof E]: string } }) {
  const { locale } = useLocale();
  return useCallback(
    (key: keyof E & string, params?: Record<string, string | number>) => {
      let s: string = messages[locale][key] ?? messages.en[key] ?? key;
      if (params) for (const [k, v] of Object.entries(params)) s = s.replaceAll(`{${k}}`, String(v));
      return s;
    },
    [locale, messages],
  );
}
