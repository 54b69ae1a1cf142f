import { z } from 'zod';
import { ROLES } from '../user.ts';

// What an email, a password and a role must look like, for the API and for the Accounts class.

/** Trimmed and lower-cased before it is checked: one account per address, whatever the case. */
export const emailSchema = z.string().trim().toLowerCase().max(254).pipe(z.email());
export const passwordSchema = z
  .string()
  .min(8, 'passwords need at least 8 characters')
  .max(200, 'passwords are limited to 200 characters');
export const roleSchema = z.enum(ROLES);
