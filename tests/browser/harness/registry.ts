/**
 * Mount registry: `?mount=<name>` picks one entry. Each owner adds ONE line here and keeps
 * everything else in their own folder (panel/, editors/, …). A mount module exports `mount`.
 */
import type { MountModule } from './types';

export const mounts: Record<string, () => Promise<MountModule>> = {
  panel: () => import('./panel/mount'),
  editors: () => import('./editors/mount'),
};
