import React from 'react';
import { Auth, AuthMethod, ConfigSection, ConfigSubSection, type AuthProps } from '@grafana/plugin-ui';
import { Field, InlineField, InlineSwitch, Input, SecretInput, SecretTextArea, Text } from '@grafana/ui';

import type { StoreConfig } from '../../../shared/settings';
import {
  applyHeaders,
  headerNamesError,
  headerNamesOf,
  headersOf,
  isConfigured,
  resetSecret,
  setSecret,
  setStore,
  timeoutError as timeoutProblem,
  type Options,
  type StoreName,
} from './settingsUpdates';

interface Props {
  store: StoreName;
  title: string;
  description: string;
  urlPlaceholder: string;
  options: Options;
  onOptionsChange: (o: Options) => void;
  children?: React.ReactNode;
}

const BEARER = 'custom-bearer' as const;

export function urlError(url: string | undefined): string | undefined {
  if (!url) {
    return undefined;
  }
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      return 'Use an http:// or https:// URL';
    }
    if (u.username || u.password) {
      return 'Put credentials in Authentication, not in the URL';
    }
    // The browser also reads `http:/host`, `http:host` and backslashes for slashes as
    // http://host; the backend (pkg/settings) finds no host there and refuses the store.
    if (!/^https?:\/\/[^/\\?#]+(?:[/?#]|$)/i.test(url.trim())) {
      return 'Write it as http://host:port, followed by the path the store is served under, if any';
    }
    return undefined;
  } catch {
    return 'Not a URL';
  }
}

/** One store: URL, authentication (none / basic / bearer / custom headers), TLS and timeout. */
export function StoreSection({ store, title, description, urlPlaceholder, options, onOptionsChange, children }: Props) {
  const cfg: StoreConfig = options.jsonData[store] ?? {};
  const set = (patch: Partial<StoreConfig>) => onOptionsChange(setStore(options, store, patch));
  const auth = cfg.auth ?? 'none';
  const timeout = cfg.timeout;
  const timeoutError = timeoutProblem(timeout);
  const headersError = headerNamesError(headerNamesOf(options, store), store, cfg.auth);
  const bearerKey = `${store}BearerToken` as const;
  const passwordKey = `${store}BasicAuthPassword` as const;
  const caKey = `${store}TlsCACert` as const;
  const clientCertKey = `${store}TlsClientCert` as const;
  const clientKeyKey = `${store}TlsClientKey` as const;

  const authProps: AuthProps = {
    selectedMethod: auth === 'basic' ? AuthMethod.BasicAuth : auth === 'bearer' ? BEARER : AuthMethod.NoAuth,
    visibleMethods: [AuthMethod.NoAuth, AuthMethod.BasicAuth, BEARER],
    onAuthMethodSelect: (m) => set({ auth: m === AuthMethod.BasicAuth ? 'basic' : m === BEARER ? 'bearer' : 'none' }),
    basicAuth: {
      user: cfg.basicAuthUser ?? '',
      passwordConfigured: isConfigured(options, passwordKey),
      onUserChange: (basicAuthUser) => set({ basicAuthUser }),
      onPasswordChange: (pw) => onOptionsChange(setSecret(options, passwordKey, pw)),
      onPasswordReset: () => onOptionsChange(resetSecret(options, passwordKey)),
    },
    customMethods: [
      {
        id: BEARER,
        label: 'Bearer token',
        description: 'Sends Authorization: Bearer <token>',
        component: (
          <Field label="Token" htmlFor={`lens-${store}-bearer`}>
            <SecretInput
              id={`lens-${store}-bearer`}
              isConfigured={isConfigured(options, bearerKey)}
              value={options.secureJsonData?.[bearerKey] ?? ''}
              placeholder="Token"
              width={40}
              onChange={(e) => onOptionsChange(setSecret(options, bearerKey, e.currentTarget.value))}
              onReset={() => onOptionsChange(resetSecret(options, bearerKey))}
            />
          </Field>
        ),
      },
    ],
    customHeaders: {
      headers: headersOf(options, store),
      onChange: (headers) => onOptionsChange(applyHeaders(options, store, headers)),
    },
  };

  return (
    <ConfigSection title={title} description={description} isCollapsible isInitiallyOpen>
      <div data-testid={`lens-store-${store}`}>
        <Field label="URL" htmlFor={`lens-${store}-url`} invalid={Boolean(urlError(cfg.url))} error={urlError(cfg.url)} description="Leave empty if you do not use this store">
          <Input
            id={`lens-${store}-url`}
            value={cfg.url ?? ''}
            placeholder={urlPlaceholder}
            width={60}
            onChange={(e) => set({ url: e.currentTarget.value })}
          />
        </Field>
        {children}
        <Auth {...authProps} />
        {headersError && (
          <Text color="error" data-testid={`lens-${store}-headers-error`}>
            Custom headers: {headersError}
          </Text>
        )}
        <ConfigSubSection title="TLS" description="Trust a private CA, skip certificate checks, or send a client certificate" isCollapsible isInitiallyOpen>
          <InlineField label="Skip TLS certificate validation" labelWidth={36} tooltip="Insecure: accepts any certificate">
            <InlineSwitch id={`lens-${store}-skip-verify`} value={cfg.tlsSkipVerify ?? false} onChange={(e) => set({ tlsSkipVerify: e.currentTarget.checked })} />
          </InlineField>
          <InlineField label="With CA certificate" labelWidth={36} tooltip="Verify the store's certificate with this CA">
            <InlineSwitch id={`lens-${store}-with-ca`} value={cfg.tlsWithCACert ?? false} onChange={(e) => set({ tlsWithCACert: e.currentTarget.checked })} />
          </InlineField>
          {cfg.tlsWithCACert && (
            <Field label="CA certificate" htmlFor={`lens-${store}-ca`}>
              <SecretTextArea
                id={`lens-${store}-ca`}
                isConfigured={isConfigured(options, caKey)}
                value={options.secureJsonData?.[caKey] ?? ''}
                placeholder="-----BEGIN CERTIFICATE-----"
                cols={60}
                rows={6}
                onChange={(e) => onOptionsChange(setSecret(options, caKey, e.currentTarget.value))}
                onReset={() => onOptionsChange(resetSecret(options, caKey))}
              />
            </Field>
          )}
          <InlineField label="TLS client authentication" labelWidth={36} tooltip="Mutual TLS: send this client certificate to the store">
            <InlineSwitch id={`lens-${store}-tls-auth`} value={cfg.tlsAuth ?? false} onChange={(e) => set({ tlsAuth: e.currentTarget.checked })} />
          </InlineField>
          {cfg.tlsAuth && (
            <>
              <Field label="Client certificate" htmlFor={`lens-${store}-client-cert`}>
                <SecretTextArea
                  id={`lens-${store}-client-cert`}
                  isConfigured={isConfigured(options, clientCertKey)}
                  value={options.secureJsonData?.[clientCertKey] ?? ''}
                  placeholder="-----BEGIN CERTIFICATE-----"
                  cols={60}
                  rows={6}
                  onChange={(e) => onOptionsChange(setSecret(options, clientCertKey, e.currentTarget.value))}
                  onReset={() => onOptionsChange(resetSecret(options, clientCertKey))}
                />
              </Field>
              <Field label="Client key" htmlFor={`lens-${store}-client-key`}>
                <SecretTextArea
                  id={`lens-${store}-client-key`}
                  isConfigured={isConfigured(options, clientKeyKey)}
                  value={options.secureJsonData?.[clientKeyKey] ?? ''}
                  placeholder="-----BEGIN PRIVATE KEY-----"
                  cols={60}
                  rows={6}
                  onChange={(e) => onOptionsChange(setSecret(options, clientKeyKey, e.currentTarget.value))}
                  onReset={() => onOptionsChange(resetSecret(options, clientKeyKey))}
                />
              </Field>
            </>
          )}
        </ConfigSubSection>
        <Field label="Timeout" htmlFor={`lens-${store}-timeout`} description="Deadline of each call to this store" invalid={Boolean(timeoutError)} error={timeoutError}>
          <Input id={`lens-${store}-timeout`} value={timeout === undefined || timeout === null ? '' : String(timeout)} placeholder="30s" width={12} onChange={(e) => set({ timeout: e.currentTarget.value || undefined })} />
        </Field>
      </div>
    </ConfigSection>
  );
}
