/**
 * Customers' own tables (issue 5). The `customers` table itself belongs to main/store/schema.ts;
 * the columns this capability adds to it (licence, nickname, flags, normalised search columns)
 * come from a custom migration (drizzle/*_customers_columns.sql), because drizzle cannot ALTER a
 * table defined in another file. Everything else new lives here.
 *
 * Conventions: ids are ULIDs, times UTC epoch ms, dates yyyy-mm-dd.
 */
import { sqliteTable, text, integer, index, uniqueIndex, primaryKey } from 'drizzle-orm/sqlite-core';
import { customers, employees } from '../store/schema.js';

/** One row per customer with the details that are not searched: addresses, physician, links. */
export const customerProfiles = sqliteTable(
  'customer_profiles',
  {
    customerId: text('customer_id')
      .primaryKey()
      .references(() => customers.id),
    /** Address of record (from the licence, or typed). */
    addressStreet: text('address_street'),
    addressStreet2: text('address_street2'),
    addressCity: text('address_city'),
    addressState: text('address_state'),
    addressPostalCode: text('address_postal_code'),
    /** Contact & delivery: another address. */
    deliveryStreet: text('delivery_street'),
    deliveryStreet2: text('delivery_street2'),
    deliveryCity: text('delivery_city'),
    deliveryState: text('delivery_state'),
    deliveryPostalCode: text('delivery_postal_code'),
    otherPhone: text('other_phone'),
    /** Medical Recommendation (California): the recommendation's expiration and the physician card. */
    recommendationExpires: text('recommendation_expires'),
    physicianName: text('physician_name'),
    physicianLicence: text('physician_licence'),
    physicianPhone: text('physician_phone'),
    /** A patient naming their caregiver (a customer with Caregiver Licence on). */
    caregiverCustomerId: text('caregiver_customer_id').references(() => customers.id),
    photoDocumentId: text('photo_document_id'),
    /** When the profile was first filled from a licence scan (a signup progress step). */
    scannedAt: integer('scanned_at'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('customer_profiles_caregiver').on(t.caregiverCustomerId)],
);

/**
 * Patients a caregiver buys for, kept under the caregiver's profile. They are not customers:
 * they never appear in customer search and are found through their caregiver.
 */
export const caregiverPatients = sqliteTable(
  'caregiver_patients',
  {
    id: text('id').primaryKey(),
    caregiverId: text('caregiver_id')
      .notNull()
      .references(() => customers.id),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    medicalLicence: text('medical_licence').notNull(),
    licenceExpires: text('licence_expires').notNull(),
    /** Entered by hand; null on records made before it was asked. A patient without one cannot be sold to. */
    dateOfBirth: text('date_of_birth'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('caregiver_patients_caregiver').on(t.caregiverId)],
);

/**
 * A patient's caregivers (customers of type Caregiver). A patient may have several where the
 * state allows (Illinois: up to 3; the jurisdiction file's caregivers.maxCaregiversPerPatient).
 * customer_profiles.caregiver_customer_id is the first of them, kept for older readers.
 */
export const customerCaregivers = sqliteTable(
  'customer_caregivers',
  {
    patientId: text('patient_id')
      .notNull()
      .references(() => customers.id),
    caregiverId: text('caregiver_id')
      .notNull()
      .references(() => customers.id),
    addedAt: integer('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.patientId, t.caregiverId] }), index('customer_caregivers_caregiver').on(t.caregiverId)],
);

/** Customer groups the store defines (the automatic "senior" group is derived from age, never stored). */
export const customerGroups = sqliteTable(
  'customer_groups',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('customer_groups_name').on(t.name)],
);

export const customerGroupMembers = sqliteTable(
  'customer_group_members',
  {
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    groupId: text('group_id')
      .notNull()
      .references(() => customerGroups.id),
  },
  // No index on group_id: nothing reads a group's members, and groups are never deleted (drizzle/0026).
  (t) => [primaryKey({ columns: [t.customerId, t.groupId] })],
);

/**
 * Documents on a profile. The file lives in the data folder's customer-documents/, named by its
 * sha256; rows are only ever added, so editing a profile never loses a file.
 */
export const customerDocuments = sqliteTable(
  'customer_documents',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id')
      .notNull()
      .references(() => customers.id),
    kind: text('kind', { enum: ['full_licence', 'doctors_permit', 'medical_card', 'profile_photo', 'other', 'membership_agreement'] }).notNull(),
    title: text('title').notNull(),
    sha256: text('sha256').notNull(),
    mime: text('mime').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    addedAt: integer('added_at').notNull(),
    addedBy: text('added_by').references(() => employees.id),
  },
  (t) => [index('customer_documents_customer').on(t.customerId)],
);

/** A profile being created or edited and not yet saved: survives navigation and restarts. */
export const customerDrafts = sqliteTable(
  'customer_drafts',
  {
    id: text('id').primaryKey(),
    /** The profile being edited; null for a new signup. */
    customerId: text('customer_id').references(() => customers.id),
    title: text('title').notNull(),
    /** The form as JSON (validated by the contract on every write). */
    form: text('form').notNull(),
    employeeId: text('employee_id').references(() => employees.id),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('customer_drafts_updated').on(t.updatedAt)],
);
