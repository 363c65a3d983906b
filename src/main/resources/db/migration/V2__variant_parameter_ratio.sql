-- Achieved compression in parameters, next to the requested ratio (which counts structure: FFN neurons or hidden
-- width): parameter_ratio = 1 - parameter_count / (the base model's parameter_count). Negative when a variant has more
-- parameters than its base (SliceGPT at small r). 0 for base models; NULL where the base is no longer registered.
ALTER TABLE variant ADD COLUMN parameter_ratio DOUBLE PRECISION;
UPDATE variant SET parameter_ratio = 0 WHERE base IS NULL OR base = '';
UPDATE variant SET parameter_ratio = 1.0 - CAST(parameter_count AS DOUBLE PRECISION)
        / (SELECT b.parameter_count FROM variant b WHERE b.name = variant.base)
    WHERE base IS NOT NULL AND base <> ''
      AND EXISTS (SELECT 1 FROM variant b WHERE b.name = variant.base AND b.parameter_count > 0);
