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

const builders: Record<string, Builder> = {
  '0001_initial': initial,
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
