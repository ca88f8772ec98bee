// Table types for kysely. Column names carry units like the DoseReport keys. Dates are
// ISO text ("YYYY-MM-DD", "HH:MM:SS") on both engines so comparisons and sorting agree.
// Booleans are 0/1 integers (SQLite has no boolean type).
import type { Generated, Insertable, Selectable } from 'kysely';

/** A JSON document stored as text. */
export type JsonText = string;

export interface EquipmentTable {
  id: Generated<number>;
  /** SHA-256 of the eight identity fields: one row per distinct combination. */
  identity_hash: string;
  manufacturer: string | null;
  institution_name: string | null;
  station_name: string | null;
  department_name: string | null;
  model_name: string | null;
  serial_number: string | null;
  software_versions: string | null;
  gantry_id: string | null;
  device_observer_uid: string | null;
  display_name: string;
  /** Admin's override for units used as both DX and RF: null, 'DX', 'RF' or 'dual'. */
  user_defined_modality: string | null;
  created_at: string;
}

export interface StudyTable {
  id: Generated<number>;
  study_instance_uid: string;
  modality: string;
  source_kind: string;
  equipment_id: number;
  study_date: string | null;
  study_time: string | null;
  accession_number: string | null;
  accession_number_hashed: number;
  study_id: string | null;
  study_description: string | null;
  requested_procedure: string | null;
  procedure_code: string | null;
  referring_physician_name: string | null;
  performing_physician_name: string | null;
  name_of_physician_reading_study: string | null;
  operator_name: string | null;
  series_instance_uid: string | null;
  institution_address: string | null;
  patient_name: string | null;
  patient_name_hashed: number;
  patient_id: string | null;
  patient_id_hashed: number;
  patient_birth_date: string | null;
  patient_sex: string | null;
  patient_age: string | null;
  patient_age_years: number | null;
  patient_height_m: number | null;
  patient_weight_kg: number | null;
  not_patient_indicator: string | null;
  number_of_events: number | null;
  number_of_axial: number | null;
  number_of_spiral: number | null;
  number_of_stationary: number | null;
  number_of_const_angle: number | null;
  number_of_planes: number | null;
  total_dlp_mgycm: number | null;
  total_dap_gym2: number | null;
  total_dap_a_gym2: number | null;
  total_dap_b_gym2: number | null;
  total_rp_dose_a_gy: number | null;
  total_rp_dose_b_gy: number | null;
  total_agd_left_mgy: number | null;
  total_agd_right_mgy: number | null;
  total_agd_both_mgy: number | null;
  total_activity_mbq: number | null;
  /** The modality section of the report (ct / projection / nm) without its events. */
  dose_json: JsonText | null;
  created_at: string;
}

export interface CtEventTable {
  id: Generated<number>;
  study_id: number;
  seq: number;
  irradiation_event_uid: string | null;
  acquisition_protocol: string | null;
  acquisition_type: string | null;
  target_region: string | null;
  mean_ctdivol_mgy: number | null;
  dlp_mgycm: number | null;
  ctdiw_phantom_type: string | null;
  scanning_length_mm: number | null;
  exposure_time_s: number | null;
  pitch_factor: number | null;
  kvp: number | null;
  xray_tube_current_ma: number | null;
  date_time_started: string | null;
  /** The whole event as in the DoseReport. */
  data: JsonText;
}

export interface ProjEventTable {
  id: Generated<number>;
  study_id: number;
  seq: number;
  irradiation_event_uid: string | null;
  acquisition_plane: string | null;
  irradiation_event_type: string | null;
  acquisition_protocol: string | null;
  anatomical_structure: string | null;
  laterality: string | null;
  view_position: string | null;
  dose_area_product_gym2: number | null;
  dose_rp_gy: number | null;
  average_glandular_dose_mgy: number | null;
  entrance_exposure_at_rp_mgy: number | null;
  kvp: number | null;
  xray_tube_current_ma: number | null;
  exposure_time_ms: number | null;
  exposure_uas: number | null;
  compression_thickness_mm: number | null;
  compression_force_n: number | null;
  date_time_started: string | null;
  data: JsonText;
}

export interface ObjectUidTable {
  id: Generated<number>;
  study_id: number;
  sop_instance_uid: string;
}

export interface SettingTable {
  key: string;
  value: JsonText;
  updated_at: string;
}

export interface AppUserTable {
  id: Generated<number>;
  /** Unique regardless of case. */
  username: string;
  full_name: Generated<string>;
  email: string | null;
  /** "scrypt$N$r$p$salt$hash" (see src/auth/passwords.ts). */
  password_hash: string;
  is_active: Generated<number>;
  is_superuser: Generated<number>;
  /** JSON array of role names. */
  roles: Generated<JsonText>;
  created_at: string;
  last_login_at: string | null;
  password_changed_at: string;
}

export interface UserSessionTable {
  /** SHA-256 (hex) of the token in the cookie; the token itself is never stored. */
  token_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  /** Absolute end of the session, however active. */
  expires_at: string;
  address: string | null;
  user_agent: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor_id: number | null;
  /** The user name at the time, or how the action came (e.g. the command line). */
  actor: string | null;
  action: string;
  target: string | null;
  details: JsonText | null;
}

export interface LoginAttemptTable {
  id: Generated<number>;
  /** The user name as typed, lower-cased. */
  username_key: string;
  address: string;
  at: string;
}

export type TaskState = 'queued' | 'running' | 'done' | 'failed' | 'aborted';

export interface TaskTable {
  id: Generated<number>;
  /** The registered kind that runs it, e.g. "export.ct". */
  kind: string;
  /** What the task is called in the interface. */
  label: string;
  params: JsonText;
  state: TaskState;
  /** 0..1 while running; null when unknown. */
  progress: number | null;
  message: string | null;
  /** What the handler returned (e.g. the file it wrote). */
  result: JsonText | null;
  /** Why it failed or was aborted, or what interrupted an earlier attempt. */
  reason: string | null;
  started_by_id: number | null;
  /** The user name at the time, or null when started by the system. */
  started_by: string | null;
  /** Claims so far; also the fence on every write of the worker holding the claim. */
  attempts: Generated<number>;
  max_attempts: number;
  worker_host: string | null;
  worker_pid: number | null;
  abort_requested_at: string | null;
  abort_requested_by: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  heartbeat_at: string | null;
}

export type SizeImportState = 'uploaded' | 'queued' | 'running' | 'done' | 'failed' | 'aborted';

/** A patient size import (src/ptsize): the file, the chosen columns, its state and counts. */
export interface SizeImportTable {
  id: Generated<number>;
  created_at: string;
  started_by_id: number | null;
  /** The user name at the time, or null for the command line. */
  started_by: string | null;
  /** 'web' or 'command line'. */
  source: string;
  /** The file's name as uploaded or given. */
  file_name: string;
  /** Where an uploaded file waits, relative to the data folder; null once deleted (always for the command line). */
  upload_path: string | null;
  file_bytes: number;
  /** How its text was decoded, e.g. "UTF-8 with byte-order mark". */
  encoding: string;
  delimiter: string;
  /** JSON array of the header's column names. */
  columns: JsonText;
  id_column: string | null;
  /** 'accession' or 'study-uid'. */
  id_kind: string | null;
  height_column: string | null;
  weight_column: string | null;
  /** 'auto', 'cm' or 'm'. */
  height_unit: string | null;
  overwrite: Generated<number>;
  task_id: number | null;
  state: SizeImportState;
  rows_read: Generated<number>;
  studies_updated: Generated<number>;
  studies_skipped: Generated<number>;
  rows_not_found: Generated<number>;
  rows_invalid: Generated<number>;
  reason: string | null;
  started_at: string | null;
  finished_at: string | null;
}

export type SizeImportOutcome = 'updated' | 'skipped' | 'not-found' | 'invalid';

export interface SizeImportLogTable {
  id: Generated<number>;
  import_id: number;
  /** The row in the file as a spreadsheet numbers it (the header is row 1). */
  row_number: number | null;
  outcome: SizeImportOutcome;
  /** The row's identifier, unless the site hashes accession numbers. */
  identifier: string | null;
  study_id: number | null;
  message: string;
}

/** A finished export file under media/exports (src/export). */
export interface ExportFileTable {
  id: Generated<number>;
  /** The task that wrote it: one file per task. */
  task_id: number;
  modality: string;
  /** 'csv', 'xlsx', 'nhsbsp' or 'openskin'. */
  format: string;
  /** 1 when it has patient name, ID and birth date columns (downloads need the pid role). */
  includes_pid: Generated<number>;
  label: string;
  /** The file's name inside the exports folder, made by the program (never from user input). */
  file_name: string;
  size_bytes: number;
  studies: number;
  /** JSON object of the filter parameters used (or the study, for one-study exports). */
  filters: JsonText;
  started_by_id: number | null;
  started_by: string | null;
  created_at: string;
  finished_at: string;
  duration_ms: number;
}

export interface Database {
  equipment: EquipmentTable;
  study: StudyTable;
  ct_event: CtEventTable;
  proj_event: ProjEventTable;
  object_uid: ObjectUidTable;
  setting: SettingTable;
  app_user: AppUserTable;
  user_session: UserSessionTable;
  audit_log: AuditLogTable;
  login_attempt: LoginAttemptTable;
  task: TaskTable;
  export_file: ExportFileTable;
  size_import: SizeImportTable;
  size_import_log: SizeImportLogTable;
}

export type StudyRow = Selectable<StudyTable>;
export type NewStudy = Insertable<StudyTable>;
export type EquipmentRow = Selectable<EquipmentTable>;
export type CtEventRow = Selectable<CtEventTable>;
export type ProjEventRow = Selectable<ProjEventTable>;
export type AppUserRow = Selectable<AppUserTable>;
export type TaskRow = Selectable<TaskTable>;
export type ExportFileRow = Selectable<ExportFileTable>;
export type SizeImportRow = Selectable<SizeImportTable>;
export type SizeImportLogRow = Selectable<SizeImportLogTable>;
