import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A friend as the brand knows them (the `customer` of conversion events), kept per brand by the
 * brand's own customer id. No foreign keys: written on the event hot path, in bulk.
 */
@Entity('customers')
@Index('customers_brand_external_id_key', ['brandId', 'externalId'], { unique: true })
// Fraud rules: one person (normalised e-mail) under several customer ids and advocates.
@Index('customers_brand_email_idx', ['brandId', 'emailNormalized'], {
  where: '"email_normalized" IS NOT NULL',
})
export class CustomerEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  brandId: string;

  /** The brand's id for this customer (`customer.id` of the events). */
  @Column('text')
  externalId: string;

  /** normalizeEmail() of the last e-mail sent with an event: matched, never logged or shown. */
  @Column('text', { nullable: true })
  emailNormalized: string | null;

  @Column('timestamptz')
  firstSeenAt: Date;

  @Column('timestamptz')
  lastSeenAt: Date;

  /** Purchase events seen for this customer (first-purchase-only rules). */
  @Column('int', { default: 0 })
  purchases: number;

  /** Signup events seen for this customer: only the first earns signup rewards. */
  @Column('int', { default: 0 })
  signups: number;
}
