import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import { BrandEntity } from '@/modules/brands/brand.entity';

export const API_KEY_SCOPES = ['admin', 'track', 'finance', 'read'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

@Entity('api_keys')
@Index('api_keys_brand_created_idx', ['brandId', 'createdAt', 'id'])
export class ApiKeyEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  brandId: string;

  @ManyToOne(() => BrandEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: BrandEntity;

  @Column('text')
  name: string;

  @Column('text', { array: true })
  scopes: ApiKeyScope[];

  /** The first characters of the secret, shown in listings so a key can be recognised. */
  @Column('text')
  prefix: string;

  /** SHA-256 (hex) of the secret; the secret itself is never stored. */
  @Index('api_keys_secret_hash_key', { unique: true })
  @Column('char', { length: 64 })
  secretHash: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { nullable: true })
  lastUsedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  revokedAt: Date | null;
}
