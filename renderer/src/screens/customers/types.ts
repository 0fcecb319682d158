/** The Customers screen's types, taken from the contract through preload/api.ts (the only import the renderer may make). */
import type { CallRequest, CallResponse } from '../../../../preload/api';

export type CustomersConfig = CallResponse<'customers.config'>;
export type CustomerDetail = CallResponse<'customers.get'>;
export type CustomerForm = CustomerDetail['form'];
export type CustomerSummary = CallResponse<'customers.search'>['results'][number];
export type CustomerDraftSummary = CallResponse<'customers.drafts'>[number];
export type LookupResult = CallResponse<'customers.lookupByLicence'>;
export type SearchField = CallRequest<'customers.search'>['field'];
export type CustomerHistoryEntry = CallResponse<'customers.history'>[number];
export type CaregiverPatient = CallResponse<'customers.addPatient'>;
export type CustomerDocument = CallResponse<'customers.addDocument'>;
export type DocumentKind = CustomerDocument['kind'];
export type PatientInput = CallRequest<'customers.addPatient'>['patient'];
export type FieldChange = CallResponse<'customers.updateFromScan'>['changes'][number];
export type Duplicates = CallResponse<'customers.duplicates'>;
