import { Module } from './module';

/** Every feature module, registered in this order by the composition root. */
export const MODULES: Module[] = [];
