/** The state system's name as staff know it (BioTrack, Metrc): the provider Settings › Track & Trace names. */
import { useStatus } from './app';

export function useStateSystemName(): string {
  return useStatus((state) => (state.status?.state === 'ready' ? state.status.trace.provider : 'BioTrack'));
}
