export { CustomersScreen } from './customers/CustomersScreen';

export { QueueScreen } from './queue/QueueScreen';

export { RegisterScreen } from './checkout/RegisterScreen';

export { SyncScreen } from './trace/SyncScreen';

export { TillScreen } from './till/TillScreen';
