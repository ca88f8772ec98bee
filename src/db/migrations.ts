// Versioned schema migrations, applied in name order on start and by `openrem migrate`.
// A migration, once released, is never edited: changes go into a new one.
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Engine } from './engine.js';

type Builder = (db: Kysely<unknown>, engine: Engine) => Promise<void>;

function idColumn(engine: Engine): 'serial' | 'integer' {
  return engine === 'postgres' ? 'serial' : 'integer';
}

const initial: Builder = async (db, engine) => {
  const id = idColumn(engine);
  const real = engine === 'postgres' ? 'double precision' : 'real';
  await db.schema
    .createTable('equipment')
    .addColumn('id', id, (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('identity_hash', 'text', (c) => c.notNull().unique())
    .addColumn('manufacturer', 'text')
    .addColumn('institution_name', 'text')
    .addColumn('station_name', 'text')
    .addColumn('department_name', 'text')
    .addColumn('model_name', 'text')
    .addColumn('serial_number', 'text')
    .addColumn('software_versions', 'text')
    .addColumn('gantry_id', 'text')
    .addColumn('device_observer_uid', 'text')
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('user_defined_modality', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  let study = db.schema
    .createTable('study')
    .addColumn('id', id, (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('study_instance_uid', 'text', (c) => c.notNull())
    .addColumn('modality', 'text', (c) => c.notNull())
    .addColumn('source_kind', 'text', (c) => c.notNull())
    .addColumn('equipment_id', 'integer', (c) => c.notNull().references('equipment.id'));
  for (const col of [
    'study_date', 'study_time', 'accession_number', 'study_id', 'study_description', 'requested_procedure',
    'procedure_code', 'referring_physician_name', 'performing_physician_name', 'name_of_physician_reading_study',
    'operator_name', 'series_instance_uid', 'institution_address', 'patient_name', 'patient_id',
    'patient_birth_date', 'patient_sex', 'patient_age', 'not_patient_indicator', 'dose_json',
  ]) {
    study = study.addColumn(col, 'text');
  }
  for (const col of ['accession_number_hashed', 'patient_name_hashed', 'patient_id_hashed']) {
    study = study.addColumn(col, 'integer', (c) => c.notNull().defaultTo(0));
  }
  for (const col of ['number_of_events', 'number_of_axial', 'number_of_spiral', 'number_of_stationary', 'number_of_const_angle', 'number_of_planes']) {
    study = study.addColumn(col, 'integer');
  }
  for (const col of [
    'patient_age_years', 'patient_height_m', 'patient_weight_kg', 'total_dlp_mgycm', 'total_dap_gym2',
    'total_dap_a_gym2', 'total_dap_b_gym2', 'total_rp_dose_a_gy', 'total_rp_dose_b_gy', 'total_agd_left_mgy',
    'total_agd_right_mgy', 'total_agd_both_mgy', 'total_activity_mbq',
  ]) {
    study = study.addColumn(col, sql.raw(real));
  }
  await study.addColumn('created_at', 'text', (c) => c.notNull()).execute();

  await db.schema.createIndex('study_uid_idx').on('study').column('study_instance_uid').execute();
  await db.schema.createIndex('study_modality_date_idx').on('study').columns(['modality', 'study_date', 'study_time']).execute();
  await db.schema.createIndex('study_equipment_date_idx').on('study').columns(['equipment_id', 'study_date']).execute();
  await db.schema.createIndex('study_accession_idx').on('study').column('accession_number').execute();

  let ct = db.schema
    .createTable('ct_event')
    .addColumn('id', id, (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('study_id', 'integer', (c) => c.notNull().references('study.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull());
  for (const col of ['irradiation_event_uid', 'acquisition_protocol', 'acquisition_type', 'target_region', 'ctdiw_phantom_type', 'date_time_started']) {
    ct = ct.addColumn(col, 'text');
  }
  for (const col of ['mean_ctdivol_mgy', 'dlp_mgycm', 'scanning_length_mm', 'exposure_time_s', 'pitch_factor', 'kvp', 'xray_tube_current_ma']) {
    ct = ct.addColumn(col, sql.raw(real));
  }
  await ct.addColumn('data', 'text', (c) => c.notNull()).execute();
  await db.schema.createIndex('ct_event_study_idx').on('ct_event').columns(['study_id', 'seq']).execute();
  await db.schema.createIndex('ct_event_protocol_idx').on('ct_event').columns(['acquisition_protocol', 'mean_ctdivol_mgy', 'dlp_mgycm']).execute();

  let proj = db.schema
    .createTable('proj_event')
    .addColumn('id', id, (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('study_id', 'integer', (c) => c.notNull().references('study.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull());
  for (const col of [
    'irradiation_event_uid', 'acquisition_plane', 'irradiation_event_type', 'acquisition_protocol',
    'anatomical_structure', 'laterality', 'view_position', 'date_time_started',
  ]) {
    proj = proj.addColumn(col, 'text');
  }
  for (const col of [
    'dose_area_product_gym2', 'dose_rp_gy', 'average_glandular_dose_mgy', 'entrance_exposure_at_rp_mgy', 'kvp',
    'xray_tube_current_ma', 'exposure_time_ms', 'exposure_uas', 'compression_thickness_mm', 'compression_force_n',
  ]) {
    proj = proj.addColumn(col, sql.raw(real));
  }
  await proj.addColumn('data', 'text', (c) => c.notNull()).execute();
  await db.schema.createIndex('proj_event_study_idx').on('proj_event').columns(['study_id', 'seq']).execute();
  await db.schema.createIndex('proj_event_protocol_idx').on('proj_event').columns(['acquisition_protocol', 'dose_area_product_gym2']).execute();

  await db.schema
    .createTable('object_uid')
    .addColumn('id', id, (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('study_id', 'integer', (c) => c.notNull().references('study.id').onDelete('cascade'))
    .addColumn('sop_instance_uid', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('object_uid_sop_idx').on('object_uid').column('sop_instance_uid').execute();
  await db.schema.createIndex('object_uid_study_idx').on('object_uid').column('study_id').execute();

  await db.schema
    .createTable('setting')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
};

/** Users, their sessions, the audit log and failed sign-ins (for rate limiting). Times are ISO text in UTC. */
const usersSessionsAudit: Builder = async (db, engine) => {
  const id = idColumn(engine);
  await db.schema
    .createTable('app_user')
    .addColumn('id', id, (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('full_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('email', 'text')
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('is_active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('is_superuser', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('roles', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_login_at', 'text')
    .addColumn('password_changed_at', 'text', (c) => c.notNull())
    .execute();
  // User names are restricted to ASCII, where lower() agrees on both engines.
  await db.schema.createIndex('app_user_username_idx').on('app_user').unique().expression(sql`lower(username)`).execute();

  await db.schema
    .createTable('user_session')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('user_session_user_idx').on('user_session').column('user_id').execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', id, (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'integer')
    .addColumn('actor', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('details', 'text')
    .execute();
  await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute();
  await db.schema.createIndex('audit_log_action_idx').on('audit_log').columns(['action', 'at']).execute();

  await db.schema
    .createTable('login_attempt')
    .addColumn('id', id, (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('username_key', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_attempt_key_idx').on('login_attempt').columns(['username_key', 'address', 'at']).execute();
};

/**
 * The durable task queue (src/tasks). Times are ISO text in UTC; `attempts` counts claims and
 * fences every write a worker makes, so a worker that lost its task cannot overwrite it.
 */
const tasks: Builder = async (db, engine) => {
  const real = engine === 'postgres' ? 'double precision' : 'real';
  await db.schema
    .createTable('task')
    .addColumn('id', idColumn(engine), (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('progress', sql.raw(real))
    .addColumn('message', 'text')
    .addColumn('result', 'text')
    .addColumn('reason', 'text')
    .addColumn('started_by_id', 'integer', (c) => c.references('app_user.id').onDelete('set null'))
    .addColumn('started_by', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('worker_host', 'text')
    .addColumn('worker_pid', 'integer')
    .addColumn('abort_requested_at', 'text')
    .addColumn('abort_requested_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('heartbeat_at', 'text')
    .execute();
  await db.schema.createIndex('task_state_idx').on('task').columns(['state', 'id']).execute();
  await db.schema.createIndex('task_started_by_idx').on('task').columns(['started_by_id', 'id']).execute();
};

/**
 * Indexes for list pages and the home page at a million studies, and the study count per
 * modality and equipment that the home page reads. Triggers keep the count right whatever
 * writes the study table (import, merge, deletion, a change of modality or equipment).
 */
const listIndexes: Builder = async (db, engine) => {
  // Studies of a system (home page seeks, the list of one system) with every numeric and short
  // filter column: counting the matches of any mix of filters reads this narrow index instead
  // of the wide study rows (measured at 1 M studies: from 0.5 s to 35 ms).
  await db.schema
    .createIndex('study_modality_equipment_date_idx')
    .on('study')
    .columns([
      'modality', 'equipment_id', 'study_date', 'study_time', 'not_patient_indicator', 'patient_sex', 'patient_age_years',
      'patient_height_m', 'patient_weight_kg', 'total_dlp_mgycm', 'total_dap_gym2', 'total_rp_dose_a_gy', 'total_rp_dose_b_gy',
      'total_agd_left_mgy', 'total_agd_right_mgy', 'total_agd_both_mgy', 'total_activity_mbq', 'number_of_axial',
      'number_of_spiral', 'number_of_stationary', 'number_of_const_angle',
    ])
    .execute();
  // Sorting a modality's studies by a dose column, a page at a time.
  for (const col of [
    'number_of_events', 'total_dlp_mgycm', 'total_dap_gym2', 'total_rp_dose_a_gy', 'total_rp_dose_b_gy',
    'total_agd_left_mgy', 'total_agd_right_mgy', 'total_agd_both_mgy', 'total_activity_mbq',
  ]) {
    await db.schema.createIndex(`study_modality_${col}_idx`).on('study').columns(['modality', col, 'id']).execute();
  }
  // "Contains" filters on study text: read from an index of the column rather than the rows.
  for (const col of ['study_description', 'requested_procedure', 'procedure_code', 'accession_number']) {
    await db.schema.createIndex(`study_modality_${col}_idx`).on('study').columns(['modality', col]).execute();
  }
  // Event filters: the matching events' studies, from the index alone.
  await db.schema.createIndex('ct_event_protocol_study_idx').on('ct_event').columns(['acquisition_protocol', 'study_id']).execute();
  for (const col of ['acquisition_protocol', 'view_position', 'compression_thickness_mm']) {
    await db.schema.createIndex(`proj_event_${col}_study_idx`).on('proj_event').columns([col, 'study_id']).execute();
  }
  await db.schema
    .createTable('study_count')
    .addColumn('modality', 'text', (c) => c.notNull())
    .addColumn('equipment_id', 'integer', (c) => c.notNull())
    .addColumn('studies', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('study_count_pk', ['modality', 'equipment_id'])
    .execute();
  const add = (row: 'new' | 'old') =>
    `insert into study_count (modality, equipment_id, studies) values (${row}.modality, ${row}.equipment_id, 1)
       on conflict (modality, equipment_id) do update set studies = study_count.studies + 1;`;
  const remove = (row: 'new' | 'old') =>
    `update study_count set studies = studies - 1 where modality = ${row}.modality and equipment_id = ${row}.equipment_id;
     delete from study_count where modality = ${row}.modality and equipment_id = ${row}.equipment_id and studies <= 0;`;
  const moved = 'old.modality is distinct from new.modality or old.equipment_id is distinct from new.equipment_id';
  if (engine === 'postgres') {
    await sql.raw(`create function study_count_follow() returns trigger language plpgsql as $$
      begin
        if tg_op in ('DELETE', 'UPDATE') then ${remove('old')} end if;
        if tg_op in ('INSERT', 'UPDATE') then ${add('new')} end if;
        return null;
      end $$`).execute(db);
    await sql.raw('create trigger study_count_insert_delete after insert or delete on study for each row execute function study_count_follow()').execute(db);
    await sql.raw(`create trigger study_count_update after update of modality, equipment_id on study for each row when (${moved}) execute function study_count_follow()`).execute(db);
  } else {
    await sql.raw(`create trigger study_count_insert after insert on study begin ${add('new')} end`).execute(db);
    await sql.raw(`create trigger study_count_delete after delete on study begin ${remove('old')} end`).execute(db);
    await sql.raw(`create trigger study_count_update after update of modality, equipment_id on study when ${moved.replace(/is distinct from/g, 'is not')} begin ${remove('old')} ${add('new')} end`).execute(db);
  }
  await sql`insert into study_count (modality, equipment_id, studies) select modality, equipment_id, count(*) from study group by modality, equipment_id`.execute(db);
};

/**
 * Patient size imports (src/ptsize): one row per uploaded or command-line CSV with its column
 * choices, state and counts, and its log, one line per study updated or kept and per row not
 * found or not usable. A log line keeps its study's id only while the study exists.
 */
const sizeImports: Builder = async (db, engine) => {
  const id = idColumn(engine);
  await db.schema
    .createTable('size_import')
    .addColumn('id', id, (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_by_id', 'integer', (c) => c.references('app_user.id').onDelete('set null'))
    .addColumn('started_by', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('upload_path', 'text')
    .addColumn('file_bytes', 'integer', (c) => c.notNull())
    .addColumn('encoding', 'text', (c) => c.notNull())
    .addColumn('delimiter', 'text', (c) => c.notNull())
    .addColumn('columns', 'text', (c) => c.notNull())
    .addColumn('id_column', 'text')
    .addColumn('id_kind', 'text')
    .addColumn('height_column', 'text')
    .addColumn('weight_column', 'text')
    .addColumn('height_unit', 'text')
    .addColumn('overwrite', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('task_id', 'integer')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('rows_read', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('studies_updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('studies_skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_not_found', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_invalid', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reason', 'text')
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('size_import_state_idx').on('size_import').columns(['state', 'id']).execute();
  await db.schema
    .createTable('size_import_log')
    .addColumn('id', id, (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('import_id', 'integer', (c) => c.notNull().references('size_import.id').onDelete('cascade'))
    .addColumn('row_number', 'integer')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('identifier', 'text')
    .addColumn('study_id', 'integer', (c) => c.references('study.id').onDelete('set null'))
    .addColumn('message', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('size_import_log_import_idx').on('size_import_log').columns(['import_id', 'id']).execute();
  await db.schema.createIndex('size_import_log_outcome_idx').on('size_import_log').columns(['import_id', 'outcome', 'id']).execute();
  await db.schema.createIndex('size_import_log_study_idx').on('size_import_log').column('study_id').execute();
};

/**
 * Finished export files (src/export): which task wrote which file under media/exports, for
 * whom, with what filters, so the exports page outlives the task history that is pruned.
 */
const exportFiles: Builder = async (db, engine) => {
  await db.schema
    .createTable('export_file')
    .addColumn('id', idColumn(engine), (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('task_id', 'integer', (c) => c.notNull().unique())
    .addColumn('modality', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('includes_pid', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('size_bytes', engine === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull())
    .addColumn('studies', 'integer', (c) => c.notNull())
    .addColumn('filters', 'text', (c) => c.notNull())
    .addColumn('started_by_id', 'integer', (c) => c.references('app_user.id').onDelete('set null'))
    .addColumn('started_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('export_file_started_by_idx').on('export_file').columns(['started_by_id', 'id']).execute();
};

/**
 * Indexes for list orders (src/query/studies.ts reads a list in parts by which sort keys a study
 * lacks, and a list sorted by system one system at a time): the studies without a time of day,
 * which the date order reads apart; on PostgreSQL also each system's studies in id order, the
 * date order with its final id, and the text sort keys as lists compare them (SQLite's lower() is the application's own function,
 * which an index must not depend on).
 */
const listOrderIndexes: Builder = async (db, engine) => {
  await db.schema
    .createIndex('study_modality_untimed_date_idx')
    .on('study')
    .columns(['modality', 'study_date', 'id'])
    .where(sql.ref('study_time'), 'is', null)
    .execute();
  if (engine === 'postgres') {
    // SQLite reads a system's studies from the filter index of migration 0003 well enough, and
    // would take this narrower one for every modality-wide query, which is far slower there.
    await db.schema.createIndex('study_modality_equipment_id_idx').on('study').columns(['modality', 'equipment_id', 'id']).execute();
    // The date order ends with the id: with it in the index, a deep page (the 20,000th study) is
    // read from the index alone instead of fetching every row before it. (SQLite's indexes end
    // with the row id anyway.)
    await db.schema.createIndex('study_modality_date_id_idx').on('study').columns(['modality', 'study_date', 'study_time', 'id']).execute();
    await db.schema.dropIndex('study_modality_date_idx').execute();
    for (const col of ['study_description', 'accession_number']) {
      await sql.raw(`create index study_modality_${col}_key_idx on study (modality, (lower(${col}) collate "C"), id)`).execute(db);
    }
  }
};

const builders: Record<string, Builder> = {
  '0001_initial': initial,
  '0002_users_sessions_audit': usersSessionsAudit,
  '0003_list_indexes': listIndexes,
  '0004_tasks': tasks,
  '0005_exports': exportFiles,
  '0006_size_imports': sizeImports,
  '0007_list_order_indexes': listOrderIndexes,
};

export function migrationProvider(engine: Engine): MigrationProvider {
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, up] of Object.entries(builders)) {
        out[name] = { up: (db) => up(db, engine) };
      }
      return out;
    },
  };
}
